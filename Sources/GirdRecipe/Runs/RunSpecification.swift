import Foundation
import GirdData
import GirdNN
import GirdTrain

/// Where a dataset came from, so that a run directory can name it and
/// `resume` can load it again.
public indirect enum DatasetSource: Codable, Equatable {
    case fashionMNIST(split: String, root: String?)
    case cifar10(root: String, split: String)
    case cifar100(root: String, split: String, labels: String)
    case imageFolder(root: String, size: Int, channels: Int)
    case idx(images: String, labels: String, classes: Int)
    case subset(of: DatasetSource, count: Int, seed: UInt64, stratified: Bool)
    /// What `subset(of:count:seed:stratified:)` leaves out (`d.split`'s second part).
    case rest(of: DatasetSource, count: Int, seed: UInt64, stratified: Bool)

    func load() throws -> Dataset {
        switch self {
        case let .fashionMNIST(split, root):
            return try Dataset.fashionMNIST(split: try Self.split(split), root: root)
        case let .cifar10(root, split):
            return try Dataset.cifar10(split: try Self.split(split), root: root)
        case let .cifar100(root, split, labels):
            return try Dataset.cifar100(split: try Self.split(split), root: root, labels: labels == "coarse" ? .coarse : .fine)
        case let .imageFolder(root, size, channels):
            return try Dataset.imageFolder(root: root, size: size, channels: channels)
        case let .idx(images, labels, classes):
            return try Dataset.idx(images: images, labels: labels, classes: classes)
        case let .subset(base, count, seed, stratified):
            return try base.load().subset(count, seed: seed, stratified: stratified)
        case let .rest(base, count, seed, stratified):
            return try base.load().rest(count, seed: seed, stratified: stratified)
        }
    }

    private static func split(_ text: String) throws -> Split {
        guard let split = Split(rawValue: text) else { throw BuiltinFailure("split must be \"train\" or \"test\", got \(text)") }
        return split
    }
}

/// A network of the zoo by name.
struct ModelSpecification: Codable, Equatable {
    var name: String
    var classes: Int
    var inChannels: Int

    init(_ network: Network, inChannels: Int) {
        name = network.name
        classes = network.classes
        self.inChannels = inChannels
    }

    func make() throws -> Network {
        try ModelZoo.make(name, classes: classes, inChannels: inChannels)
    }
}

/// A schedule as `run.json` stores it.
indirect enum ScheduleSpecification: Codable, Equatable {
    case constant, cosine
    case multiStep(milestones: [Int], gamma: Double)
    case warmup(epochs: Int, then: ScheduleSpecification)

    init(_ kind: LearningRateSchedule.Kind) {
        switch kind {
        case .constant: self = .constant
        case .cosine: self = .cosine
        case let .multiStep(milestones, gamma): self = .multiStep(milestones: milestones, gamma: gamma)
        case let .warmup(epochs, inner): self = .warmup(epochs: epochs, then: ScheduleSpecification(inner))
        }
    }

    func schedule() throws -> LearningRateSchedule {
        switch self {
        case .constant: return .constant
        case .cosine: return .cosine
        case let .multiStep(milestones, gamma): return try .multiStep(milestones: milestones, gamma: gamma)
        case let .warmup(epochs, inner): return try .warmup(epochs: epochs, then: inner.schedule())
        }
    }
}

/// Everything a run needs besides the recipe, written as `run.json` in its
/// directory: `resume(path)` rebuilds the run from it and the checkpoint.
struct RunSpecification: Codable, Equatable {
    var version = 1
    var student: ModelSpecification
    /// Distillation only: the teacher's architecture, its weights copied
    /// into the run directory as `teacher.safetensors`, and the loss terms.
    var teacher: ModelSpecification?
    var losses: [LossTermDescription]?
    var data: DatasetSource
    var test: DatasetSource
    var epochs: Int
    var batchSize: Int
    var learningRate: Double
    var momentum: Float
    var weightDecay: Float
    var nesterov: Bool
    var optimizer: String
    var schedule: ScheduleSpecification
    var augment: [String]
    var seed: UInt64

    static let fileName = "run.json"
    static let teacherWeights = "teacher.safetensors"

    func configuration(outputDirectory: String) throws -> TrainingConfiguration {
        var configuration = TrainingConfiguration(epochs: epochs, outputDirectory: outputDirectory)
        configuration.batchSize = batchSize
        configuration.learningRate = learningRate
        configuration.momentum = momentum
        configuration.weightDecay = weightDecay
        configuration.nesterov = nesterov
        guard let kind = TrainingConfiguration.OptimizerKind(rawValue: optimizer) else {
            throw BuiltinFailure("optimizer must be \"sgd\", \"adam\" or \"adamW\", got \"\(optimizer)\"")
        }
        configuration.optimizer = kind
        configuration.schedule = try schedule.schedule()
        configuration.augmentation = try augment.map(Self.augmentation)
        configuration.seed = seed
        return configuration
    }

    /// `"crop"` (32 with padding 4, RepDistiller's) and `"flip"` (probability 0.5).
    static func augmentation(_ name: String) throws -> Augmentation {
        switch name {
        case "crop": return .randomCrop(size: 32, padding: 4)
        case "flip": return .horizontalFlip(probability: 0.5)
        default: throw BuiltinFailure("augment: unknown augmentation \"\(name)\"; known: \"crop\", \"flip\"")
        }
    }

    func write(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try RunDirectory.writeAtomically(try encoder.encode(self), to: directory + "/" + Self.fileName)
    }

    static func read(from directory: String) throws -> RunSpecification {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BuiltinFailure("\(path): no such file; resume takes a run directory written by train or distill")
        }
        do {
            return try JSONDecoder().decode(RunSpecification.self, from: data)
        } catch {
            throw BuiltinFailure("\(path): not a run description: \(error)")
        }
    }
}
