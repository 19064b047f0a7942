/// One rank's part of every batch in data-parallel training: the global
/// batch (the recipe's `batch_size`) is cut into `count` contiguous pieces,
/// the first `size % count` ranks taking one image more, so that a recipe
/// means the same at any number of ranks and the ranks together see exactly
/// the images one process would, augmented the same way (augmentation is
/// keyed by an image's position in the epoch, not by who loads it).
public struct BatchShard: Hashable, Sendable {
    public let rank: Int
    public let count: Int

    public init(rank: Int, count: Int) throws {
        guard count >= 1, rank >= 0, rank < count else {
            throw DatasetError.invalidArgument(dataset: "shard", message: "rank \(rank) of \(count) ranks does not exist")
        }
        self.rank = rank
        self.count = count
    }

    /// The whole batch: one process.
    public static let whole = try! BatchShard(rank: 0, count: 1)

    /// The positions of `batch` (a range of positions in the epoch's order)
    /// this rank takes.
    public func positions(of batch: Range<Int>) -> Range<Int> {
        let (base, extra) = batch.count.quotientAndRemainder(dividingBy: count)
        let start = batch.lowerBound + rank * base + Swift.min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// How many images each rank takes of a batch of `size`, in rank order.
    public func sizes(ofBatchOf size: Int) -> [Int] {
        let (base, extra) = size.quotientAndRemainder(dividingBy: count)
        return (0..<count).map { base + ($0 < extra ? 1 : 0) }
    }
}
