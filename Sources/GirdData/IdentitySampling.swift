import GirdTensor

/// P x K batches for metric learning (torchreid's `RandomIdentitySampler`,
/// Hermans et al. 2017): each batch holds P = batchSize / K identities
/// (labels) with K images each, so that every image has K − 1 positives
/// and (P − 1)·K negatives in its batch, as the batch-hard triplet loss needs.
///
/// An epoch, from one generator (the loader's order stream):
/// 1. each identity's images, in a random order, are cut into chunks of K
///    (the last, short chunk dropped); an identity with fewer than K images
///    gets one chunk drawn with replacement;
/// 2. each batch takes P identities at random among those with chunks left,
///    and the next chunk of each, in the order drawn.
///
/// torchreid stops an epoch when fewer than P identities have chunks left,
/// so its epochs vary in length. Here an identity that runs out is dealt a
/// fresh set of chunks when fewer than P are left, and every epoch has
/// `batchCount` = (all identities' chunks) / P batches: a fixed length is
/// what checkpoints (a position inside an epoch) and schedules (steps per
/// epoch) need. Nearly every image is seen once an epoch, as there.
public struct IdentitySampling: Equatable, Sendable {
    /// K, the images of each identity in a batch.
    public let instances: Int
    /// P, the identities in a batch.
    public let identitiesPerBatch: Int
    /// Each identity's members (positions in the served indices), identities in label order.
    private let members: [[Int]]
    public let batchCount: Int

    /// `labels` of the served images, in the order the loader serves them
    /// (`DataLoader.indices`); `batchSize` must be a multiple of `instances`
    /// and the images must show at least batchSize / instances identities.
    public init(instances: Int, batchSize: Int, labels: [Int64], dataset: String) throws {
        guard instances >= 1, batchSize % instances == 0, batchSize / instances >= 2 else {
            throw DatasetError.invalidArgument(
                dataset: dataset,
                message: "P x K sampling needs a batch size that is a multiple of instances (K) with at least 2 identities a batch, "
                    + "got batch size \(batchSize) and instances \(instances)")
        }
        var byLabel: [Int64: [Int]] = [:]
        for (position, label) in labels.enumerated() { byLabel[label, default: []].append(position) }
        let identities = batchSize / instances
        guard byLabel.count >= identities else {
            throw DatasetError.invalidArgument(
                dataset: dataset,
                message: "P x K sampling of \(identities) identities a batch (batch size \(batchSize) / instances \(instances)) "
                    + "needs at least \(identities) identities, the set has \(byLabel.count)")
        }
        self.instances = instances
        self.identitiesPerBatch = identities
        members = byLabel.keys.sorted().map { byLabel[$0]! }
        batchCount = members.reduce(0) { $0 + Swift.max(1, $1.count / instances) } / identities
    }

    /// The positions (in the served indices) of an epoch's images, batch
    /// after batch: `batchCount` · P · K of them, from `generator`.
    public func order(using generator: RandomGenerator) -> [Int] {
        var chunks = [[[Int]]](repeating: [], count: members.count)
        func deal(_ identity: Int) {
            let images = members[identity]
            var shuffled = generator.permutation(images.count).map { images[$0] }
            if shuffled.count < instances {
                shuffled += (0..<(instances - shuffled.count)).map { _ in images[generator.nextInt(below: images.count)] }
            }
            // Reversed, so that popLast takes the chunks in order.
            chunks[identity] = stride(from: 0, through: shuffled.count - instances, by: instances)
                .map { Array(shuffled[$0..<($0 + instances)]) }.reversed()
        }
        for identity in members.indices { deal(identity) }
        var order: [Int] = []
        order.reserveCapacity(batchCount * identitiesPerBatch * instances)
        for _ in 0..<batchCount {
            var available = members.indices.filter { !chunks[$0].isEmpty }
            if available.count < identitiesPerBatch {
                for identity in members.indices where chunks[identity].isEmpty { deal(identity) }
                available = Array(members.indices)
            }
            for pick in generator.permutation(available.count).prefix(identitiesPerBatch) {
                order += chunks[available[pick]].popLast()!
            }
        }
        return order
    }
}
