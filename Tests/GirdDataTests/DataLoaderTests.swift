import XCTest
import GirdTensor
@testable import GirdData

final class DataLoaderTests: XCTestCase {
    /// `count` images of 1x6x6 whose bytes tell them apart (image i, pixel j: 7i + 3j mod 256),
    /// label i mod 3, with a normalisation.
    func patterned(_ count: Int) throws -> Dataset {
        let pixels = (0..<count * 36).map { UInt8(truncatingIfNeeded: 7 * ($0 / 36) + 3 * ($0 % 36)) }
        return try Dataset(name: "patterned", classes: ["a", "b", "c"], imageShape: [1, 6, 6], pixels: pixels,
                           labels: (0..<count).map { Int64($0 % 3) },
                           normalization: Normalization(mean: [0.5], std: [0.25]))
    }

    let transforms: [Augmentation] = [.randomCrop(size: 6, padding: 2), .horizontalFlip(probability: 0.5)]

    /// Every batch of an epoch, as flat image values and labels.
    func drain(_ epoch: DataLoader.Epoch) throws -> (sizes: [Int], images: [Float], labels: [Int64]) {
        var sizes: [Int] = [], images: [Float] = [], labels: [Int64] = []
        while let batch = try epoch.next() {
            sizes.append(batch.images.shape[0])
            XCTAssertEqual(Array(batch.images.shape.dropFirst()), [1, 6, 6])
            images += batch.images.toArray()
            labels += batch.labels.toIndices()
        }
        return (sizes, images, labels)
    }

    func testLastBatchIsSmallerUnlessDropped() throws {
        let set = try patterned(10)
        let loader = try DataLoader(set, batchSize: 4, seed: 1)
        XCTAssertEqual(loader.batchCount, 3)
        XCTAssertEqual(try drain(loader.startEpoch(0)).sizes, [4, 4, 2])
        let dropping = try DataLoader(set, batchSize: 4, seed: 1, dropLast: true)
        XCTAssertEqual(dropping.batchCount, 2)
        XCTAssertEqual(try drain(dropping.startEpoch(0)).sizes, [4, 4])
        XCTAssertEqual(try drain(DataLoader(set, batchSize: 5, dropLast: true).startEpoch(0)).sizes, [5, 5])
    }

    func testWithoutShuffleOrAugmentationBatchesAreTheDatasets() throws {
        let set = try patterned(5)
        let loader = try DataLoader(set, batchSize: 3, shuffle: false)
        let all = try drain(loader.startEpoch(7))
        let expected = try set.batch(indices: [0, 1, 2, 3, 4], normalized: true)
        XCTAssertEqual(all.images, expected.images.toArray())
        XCTAssertEqual(all.labels, [0, 1, 2, 0, 1])
        let plain = try drain(DataLoader(set, batchSize: 3, shuffle: false, normalized: false).startEpoch(0))
        XCTAssertEqual(plain.images, try set.batch(indices: [0, 1, 2, 3, 4]).images.toArray())
    }

    func testEpochOrdersArePermutationsThatDifferAcrossEpochs() throws {
        let loader = try DataLoader(patterned(50), batchSize: 8, seed: 3)
        let orders = (0..<4).map { loader.order(epoch: $0) }
        for order in orders { XCTAssertEqual(order.sorted(), Array(0..<50)) }
        XCTAssertEqual(Set(orders).count, 4)
        // Epoch e's order is the permutation of the epoch's own generator.
        let key = DataLoader.streamSeed(seed: 3, epoch: 2, stream: 0)
        XCTAssertEqual(orders[2], RandomGenerator(seed: key).permutation(50))
        XCTAssertEqual(loader.order(epoch: 2), orders[2], "an epoch's order is a function of (seed, epoch)")
        XCTAssertNotEqual(try DataLoader(patterned(50), batchSize: 8, seed: 4).order(epoch: 2), orders[2])
        // The labels served follow the order.
        let labels = try drain(loader.startEpoch(2)).labels
        XCTAssertEqual(labels, orders[2].map { Int64($0 % 3) })
    }

    func testAugmentationDoesNotDependOnBatchSizeOrThread() throws {
        let set = try patterned(23)
        let streams = try [1, 4, 23].map { batchSize in
            try drain(DataLoader(set, batchSize: batchSize, seed: 11, augmentation: transforms).startEpoch(5))
        }
        XCTAssertEqual(streams[0].images, streams[1].images)
        XCTAssertEqual(streams[0].images, streams[2].images)
        XCTAssertEqual(streams[0].labels, streams[2].labels)
        // The same on the calling thread, image by image.
        let loader = try DataLoader(set, batchSize: 23, seed: 11, augmentation: transforms)
        let onThisThread = try loader.loadBatch(0, epoch: 5, order: loader.order(epoch: 5))
        XCTAssertEqual(onThisThread.images.toArray(), streams[0].images)
        // And it does augment: some images differ from the plain ones, and
        // another epoch gives the same image other crops.
        let plain = try drain(DataLoader(set, batchSize: 23, seed: 11).startEpoch(5)).images
        XCTAssertNotEqual(plain, streams[0].images)
        let other = try DataLoader(set, batchSize: 23, shuffle: false, seed: 11, augmentation: transforms)
        XCTAssertNotEqual(try drain(other.startEpoch(0)).images, try drain(other.startEpoch(1)).images)
    }

    func testResumingMidEpochContinuesTheSameStream() throws {
        let set = try patterned(30)
        let make = { try DataLoader(set, batchSize: 4, seed: 2, augmentation: self.transforms) }
        let whole = try drain(make().startEpoch(3))
        // Interrupted after three batches: the checkpoint keeps the position.
        var saved: DataLoader.Position?
        do {
            let epoch = try make().startEpoch(3)
            for _ in 0..<3 { _ = try epoch.next() }
            saved = epoch.position
        }
        XCTAssertEqual(saved, DataLoader.Position(epoch: 3, batch: 3))
        let encoded = try JSONEncoder().encode(saved)
        let restored = try JSONDecoder().decode(DataLoader.Position.self, from: encoded)
        let rest = try drain(make().start(at: restored))
        XCTAssertEqual(rest.sizes, [4, 4, 4, 4, 2])
        XCTAssertEqual(rest.images.map(\.bitPattern), whole.images.suffix(rest.images.count).map(\.bitPattern))
        XCTAssertEqual(rest.labels, Array(whole.labels.suffix(18)))
        // Resuming at the end yields nothing.
        XCTAssertNil(try make().startEpoch(3, atBatch: 8).next())
    }

    func testAnErrorOnTheWorkerIsThrownByNext() throws {
        let set = try patterned(5)
        let loader = try DataLoader(set, batchSize: 2, shuffle: false, indices: [0, 1, 2, 99, 4])
        let epoch = loader.startEpoch(0)
        XCTAssertEqual(try epoch.next()?.labels.toIndices(), [0, 1])
        XCTAssertThrowsError(try epoch.next()) { error in
            XCTAssertEqual(error as? DatasetError,
                           .invalidArgument(dataset: "patterned", message: "index 99 is out of range for 5 images"))
        }
        XCTAssertNil(try epoch.next(), "the epoch ends at the error")
        XCTAssertEqual(DataLoader.BatchQueue.liveWorkers, 0)
        XCTAssertThrowsError(try DataLoader(set, batchSize: 0))
        XCTAssertThrowsError(try DataLoader(set, batchSize: 2, augmentation: [.randomCrop(size: 8, padding: 0)]))
    }

    func testStoppingEarlyEndsTheWorker() throws {
        let set = try patterned(2000)
        let loader = try DataLoader(set, batchSize: 8, seed: 0, augmentation: transforms)
        // Break out of the loop after one batch: the worker is blocked on a full queue.
        do {
            let epoch = loader.startEpoch(0)
            while let _ = try epoch.next() { break }
        }
        XCTAssertEqual(DataLoader.BatchQueue.liveWorkers, 0)
        // Dropped before taking anything, and stopped by hand twice.
        _ = loader.startEpoch(1)
        XCTAssertEqual(DataLoader.BatchQueue.liveWorkers, 0)
        let epoch = loader.startEpoch(2)
        _ = try epoch.next()
        epoch.stop()
        epoch.stop()
        XCTAssertNil(try epoch.next())
        XCTAssertEqual(DataLoader.BatchQueue.liveWorkers, 0)
        // Many started and dropped in a row.
        for e in 0..<50 { _ = try loader.startEpoch(e).next() }
        XCTAssertEqual(DataLoader.BatchQueue.liveWorkers, 0)
    }
}
