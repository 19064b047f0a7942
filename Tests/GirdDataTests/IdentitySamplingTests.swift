import XCTest
import GirdTensor
@testable import GirdData

/// P x K sampling: every batch is P distinct identities of K images each;
/// epochs are a function of (seed, epoch), of a fixed length, and resume
/// mid-epoch as the other loaders do.
final class IdentitySamplingTests: XCTestCase {
    /// `counts[i]` images of identity i (label i), 1x4x4, bytes telling the images apart.
    func identities(_ counts: [Int]) throws -> Dataset {
        let labels = counts.enumerated().flatMap { identity, count in Array(repeating: Int64(identity), count: count) }
        let pixels = (0..<labels.count * 16).map { UInt8(truncatingIfNeeded: $0 / 16 * 5 + $0 % 16) }
        return try Dataset(name: "people", classes: counts.indices.map { "id\($0)" }, imageShape: [1, 4, 4], pixels: pixels,
                           labels: labels)
    }

    func testBatchesHoldPDistinctIdentitiesOfKImagesEach() throws {
        let counts = [4, 6, 2, 1, 5, 4, 3, 8]
        let data = try identities(counts)
        let loader = try DataLoader(data, batchSize: 8, seed: 5, instances: 2)
        // Chunks of K per identity, one for an identity with fewer than K: 2+3+1+1+2+2+1+4 = 16, over P = 4.
        XCTAssertEqual(loader.batchCount, 4)
        XCTAssertEqual(loader.epochLength, 32)
        for epoch in 0..<5 {
            let order = loader.order(epoch: epoch)
            XCTAssertEqual(order.count, 32)
            for batch in 0..<4 {
                let labels = order[(batch * 8)..<(batch * 8 + 8)].map { data.labels[$0] }
                let groups = stride(from: 0, to: 8, by: 2).map { Array(labels[$0..<($0 + 2)]) }
                for group in groups { XCTAssertEqual(Set(group).count, 1, "K consecutive images of one identity: \(labels)") }
                XCTAssertEqual(Set(groups.map { $0[0] }).count, 4, "P distinct identities: \(labels)")
            }
            // Identity 3 has one image: its chunk repeats it.
            for batch in 0..<4 {
                let slice = Array(order[(batch * 8)..<(batch * 8 + 8)])
                for start in stride(from: 0, to: 8, by: 2) where data.labels[slice[start]] == 3 {
                    XCTAssertEqual(slice[start], slice[start + 1])
                }
            }
        }
        XCTAssertEqual(loader.order(epoch: 2), loader.order(epoch: 2), "a function of (seed, epoch)")
        XCTAssertNotEqual(loader.order(epoch: 2), loader.order(epoch: 3))
        XCTAssertNotEqual(try DataLoader(data, batchSize: 8, seed: 6, instances: 2).order(epoch: 2), loader.order(epoch: 2))
    }

    /// Balanced identities and no refill needed: every image once an epoch.
    func testBalancedIdentitiesAreEachSeenOnce() throws {
        let data = try identities(Array(repeating: 4, count: 6))
        let loader = try DataLoader(data, batchSize: 6, seed: 1, instances: 2)
        XCTAssertEqual(loader.batchCount, 4)
        let order = loader.order(epoch: 0)
        XCTAssertEqual(order.count, 24)
        // Chunks are drawn while at least P identities have some left: the
        // last batches may need a refill, so images are seen at most twice.
        let seen = Dictionary(grouping: order, by: { $0 }).mapValues(\.count)
        XCTAssertLessThanOrEqual(seen.values.max() ?? 0, 2)
        XCTAssertGreaterThanOrEqual(seen.count, 18)
    }

    func testResumingMidEpochGivesTheSameBatches() throws {
        let data = try identities([3, 5, 4, 6, 2])
        let loader = try DataLoader(data, batchSize: 6, seed: 9, augmentation: [.horizontalFlip(probability: 0.5)], instances: 3)
        var whole: [[Float]] = [], labels: [[Int64]] = []
        let epoch = loader.startEpoch(1)
        while let batch = try epoch.next() {
            whole.append(batch.images.toArray())
            labels.append(batch.labels.toIndices())
        }
        XCTAssertEqual(whole.count, loader.batchCount)
        let resumed = loader.startEpoch(1, atBatch: 2)
        var index = 2
        while let batch = try resumed.next() {
            XCTAssertEqual(batch.images.toArray(), whole[index])
            XCTAssertEqual(batch.labels.toIndices(), labels[index])
            index += 1
        }
        XCTAssertEqual(index, loader.batchCount)
    }

    func testImpossibleSettingsAreNamed() throws {
        let data = try identities([2, 2, 2])
        XCTAssertEqual(errorText { try DataLoader(data, batchSize: 7, instances: 2) },
                       "people: P x K sampling needs a batch size that is a multiple of instances (K) with at least 2 identities a batch, got batch size 7 and instances 2")
        XCTAssertEqual(errorText { try DataLoader(data, batchSize: 8, instances: 2) },
                       "people: P x K sampling of 4 identities a batch (batch size 8 / instances 2) needs at least 4 identities, the set has 3")
    }
}
