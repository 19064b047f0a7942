import Foundation

/// Where a dataset came from, so that a run directory can name it and a
/// resume can load it again (`run.json`'s `data`, `test` and `val`).
public indirect enum DatasetSource: Codable, Equatable, Sendable {
    case fashionMNIST(split: String, root: String?)
    case cifar10(root: String, split: String)
    case cifar100(root: String, split: String, labels: String)
    case imageFolder(root: String, size: Int, channels: Int)
    case idx(images: String, labels: String, classes: Int)
    case imagenet(root: String, split: String, size: Int, resize: Int, scaledDecoding: Bool)
    case tinyImageNet(root: String, split: String, size: Int)
    case veri776(root: String, split: String, size: Int, scaledDecoding: Bool)
    case subset(of: DatasetSource, count: Int, seed: UInt64, stratified: Bool)
    /// What `subset(of:count:seed:stratified:)` leaves out (`d.split`'s second part).
    case rest(of: DatasetSource, count: Int, seed: UInt64, stratified: Bool)

    public func load() throws -> Dataset {
        switch self {
        case let .fashionMNIST(split, root):
            return try Dataset.fashionMNIST(split: try Self.split(split), root: root)
        case let .cifar10(root, split):
            return try Dataset.cifar10(split: try Self.split(split), root: root)
        case let .cifar100(root, split, labels):
            return try Dataset.cifar100(split: try Self.split(split), root: root, labels: labels == "coarse" ? .coarse : .fine)
        case let .imageFolder(root, size, channels):
            return try Dataset.imageFolder(root: root, size: size, channels: channels,
                                           threads: ProcessInfo.processInfo.activeProcessorCount)
        case let .idx(images, labels, classes):
            return try Dataset.idx(images: images, labels: labels, classes: classes)
        case let .imagenet(root, split, size, resize, scaledDecoding):
            return try Dataset.imagenet(root: root, split: split, size: size, resize: resize, scaledDecoding: scaledDecoding)
        case let .tinyImageNet(root, split, size):
            return try Dataset.tinyImageNet(root: root, split: split, size: size, threads: ProcessInfo.processInfo.activeProcessorCount)
        case let .veri776(root, split, size, scaledDecoding):
            return try Dataset.veri776(root: root, split: split, size: size, scaledDecoding: scaledDecoding)
        case let .subset(base, count, seed, stratified):
            return try base.load().subset(count, seed: seed, stratified: stratified)
        case let .rest(base, count, seed, stratified):
            return try base.load().rest(count, seed: seed, stratified: stratified)
        }
    }

    private static func split(_ text: String) throws -> Split {
        guard let split = Split(rawValue: text) else {
            throw DatasetError.invalidArgument(dataset: "run.json", message: "split must be \"train\" or \"test\", got \(text)")
        }
        return split
    }
}
