import Foundation
import GirdTensor

/// Batches of a dataset, shuffled and augmented per epoch, decoded on a
/// background thread two batches ahead of the consumer.
///
///     let loader = try DataLoader(train, batchSize: 64, seed: 0,
///                                 augmentation: [.randomCrop(size: 32, padding: 4), .horizontalFlip(probability: 0.5)])
///     let epoch = loader.startEpoch(3)                  // or startEpoch(3, atBatch: saved.batch)
///     while let (images, labels) = try epoch.next() {
///         ...                                           // checkpoints save epoch.position
///     }
///
/// Everything an epoch yields is a function of (seed, epoch): the order is
/// `RandomGenerator(seed: orderSeed).permutation(count)`, and image k of the
/// order is augmented from its own slice of the stream keyed by
/// `augmentationSeed` (see `Augmentation`). So the thread, the batch size and
/// resuming mid-epoch never change what an image becomes.
public final class DataLoader: Sendable {
    /// Where a run stands: the epoch and the index of the next batch it will yield.
    public struct Position: Hashable, Codable, Sendable {
        public var epoch: Int
        public var batch: Int

        public init(epoch: Int, batch: Int) {
            self.epoch = epoch
            self.batch = batch
        }
    }

    public let dataset: Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64
    public let augmentation: [Augmentation]
    public let normalized: Bool
    public let dropLast: Bool
    /// The dataset images the loader serves (all of them unless given);
    /// an index out of range is reported, thrown by `next()`, when its batch is loaded.
    public let indices: [Int]
    /// [C, H, W] of the images after augmentation.
    public let outputShape: [Int]
    /// How many finished batches may wait in the queue (the worker holds
    /// one more while it waits for room).
    public let prefetch: Int
    /// The part of each batch this process loads (data-parallel training);
    /// `batchSize` and `batchCount` stay those of the whole batch.
    public let shard: BatchShard
    /// How many threads decode and augment the images of a batch (each image
    /// is a function of its position alone, so the count never changes a
    /// batch). File-backed sets (ImageNet's JPEGs) need several to keep up.
    public let threads: Int
    /// P x K batches (`instances` = K) instead of a shuffled pass: every
    /// epoch is `sampling.order(using:)` of the served images.
    public let identitySampling: IdentitySampling?

    /// `instances`: K of P x K sampling (`IdentitySampling`), P being
    /// batchSize / K; nil for a plain shuffled (or ordered) pass.
    public init(_ dataset: Dataset, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0,
                augmentation: [Augmentation] = [], normalized: Bool = true, dropLast: Bool = false,
                indices: [Int]? = nil, prefetch: Int = 2, shard: BatchShard = .whole, threads: Int = 1,
                instances: Int? = nil) throws {
        guard batchSize > 0, prefetch > 0, (1...256).contains(threads) else {
            throw DatasetError.invalidArgument(
                dataset: dataset.name,
                message: "batch size \(batchSize) and prefetch \(prefetch) must be positive, threads \(threads) in 1...256")
        }
        var shape = dataset.imageShape
        for transform in augmentation { shape = try transform.outputShape(for: shape) }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.augmentation = augmentation
        self.normalized = normalized
        self.dropLast = dropLast
        let served = indices ?? Array(0..<dataset.count)
        if let instances {
            if let bad = served.first(where: { $0 < 0 || $0 >= dataset.count }) {
                throw DatasetError.invalidArgument(dataset: dataset.name, message: "index \(bad) is out of range for \(dataset.count) images")
            }
            identitySampling = try IdentitySampling(instances: instances, batchSize: batchSize,
                                                    labels: served.map { dataset.labels[$0] }, dataset: dataset.name)
        } else {
            identitySampling = nil
        }
        self.indices = served
        self.outputShape = shape
        self.prefetch = prefetch
        self.shard = shard
        self.threads = threads
    }

    /// Batches per epoch: the last one is smaller, or dropped with `dropLast`.
    public var batchCount: Int {
        if let identitySampling { return identitySampling.batchCount }
        return dropLast ? indices.count / batchSize : (indices.count + batchSize - 1) / batchSize
    }

    /// The images an epoch serves: all the indices, or P x K sampling's whole batches.
    public var epochLength: Int {
        identitySampling.map { $0.batchCount * batchSize } ?? indices.count
    }

    /// The key of epoch `epoch`'s order stream (stream 0) or augmentation
    /// stream (stream 1): SplitMix64's finaliser over seed, epoch and stream,
    /// so that neighbouring epochs get unrelated keys.
    public static func streamSeed(seed: UInt64, epoch: Int, stream: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (UInt64(truncatingIfNeeded: epoch) &* 2 &+ stream &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The dataset indices of epoch `epoch`, in the order they are served.
    public func order(epoch: Int) -> [Int] {
        let generator = RandomGenerator(seed: Self.streamSeed(seed: seed, epoch: epoch, stream: 0))
        if let identitySampling { return identitySampling.order(using: generator).map { indices[$0] } }
        guard shuffle else { return indices }
        return generator.permutation(indices.count).map { indices[$0] }
    }

    /// Batch `batch` of epoch `epoch`, on the calling thread: what the
    /// background worker computes. `order` is `order(epoch:)`.
    public func loadBatch(_ batch: Int, epoch: Int, order: [Int]) throws -> (images: Tensor, labels: Tensor) {
        let positions = self.positions(ofBatch: batch)
        let start = positions.lowerBound, end = positions.upperBound
        let augmentationSeed = Self.streamSeed(seed: seed, epoch: epoch, stream: 1)
        let outputSize = outputShape.reduce(1, *)
        if let index = order[start..<end].first(where: { $0 < 0 || $0 >= dataset.count }) {
            throw DatasetError.invalidArgument(
                dataset: dataset.name, message: "index \(index) is out of range for \(dataset.count) images")
        }
        var pixels = [UInt8](repeating: 0, count: (end - start) * outputSize)
        // Images in `threads` interleaved shares; the first error (by
        // position) is the one reported, whatever the threads' timing.
        let workers = Swift.min(threads, end - start)
        let failures = FailureSlots(count: workers)
        pixels.withUnsafeMutableBufferPointer { target in
            nonisolated(unsafe) let target = target
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for position in stride(from: start + worker, to: end, by: workers) {
                    do {
                        let image = try dataset.augmentedImage(order[position], transforms: augmentation,
                                                               seed: augmentationSeed, position: position)
                        image.withUnsafeBufferPointer {
                            (target.baseAddress! + (position - start) * outputSize).update(from: $0.baseAddress!, count: outputSize)
                        }
                    } catch {
                        failures.record(error, at: position, worker: worker)
                        return
                    }
                }
            }
        }
        if let error = failures.first { throw error }
        // The augmented bytes as a dataset of their own, so that the
        // conversion to floats is `Dataset.batch`'s, exactly.
        let augmented = Dataset(unchecked: dataset.name, classes: dataset.classes, imageShape: outputShape,
                                pixels: pixels, labels: order[start..<end].map { dataset.labels[$0] },
                                normalization: dataset.normalization)
        return try augmented.batch(indices: Array(0..<(end - start)), normalized: normalized)
    }

    /// The positions in the epoch's order of batch `batch`'s images that this
    /// process loads (the whole batch, or this rank's shard of it).
    public func positions(ofBatch batch: Int) -> Range<Int> {
        let start = Swift.min(batch * batchSize, epochLength)
        return shard.positions(of: start..<Swift.min(start + batchSize, epochLength))
    }

    /// The number of images in batch `batch` over all ranks.
    public func globalSize(ofBatch batch: Int) -> Int {
        let start = Swift.min(batch * batchSize, epochLength)
        return Swift.min(start + batchSize, epochLength) - start
    }

    /// Starts epoch `epoch` at batch `batch` (0 from the beginning; a saved
    /// `Position.batch` to resume) and its background worker.
    public func startEpoch(_ epoch: Int, atBatch batch: Int = 0) -> Epoch {
        Epoch(loader: self, epoch: epoch, firstBatch: batch)
    }

    public func start(at position: Position) -> Epoch {
        startEpoch(position.epoch, atBatch: position.batch)
    }
}
