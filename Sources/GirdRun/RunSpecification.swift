import Foundation
import GirdData
import GirdDistill
import GirdNN
import GirdTrain

/// A network of the zoo by name.
public struct ModelSpecification: Codable, Equatable, Sendable {
    public var name: String
    public var classes: Int
    public var inChannels: Int
    /// The re-ID head and last stride (`ModelZoo.make`); absent (nil) for
    /// the zoo's own, so that older run files read the same.
    public var head: HeadKind?
    public var lastStride: Int?

    public init(name: String, classes: Int, inChannels: Int, head: HeadKind? = nil, lastStride: Int? = nil) {
        self.name = name
        self.classes = classes
        self.inChannels = inChannels
        self.head = head == .classifier ? nil : head
        self.lastStride = lastStride == 2 ? nil : lastStride
    }

    public init(_ network: Network, inChannels: Int) {
        self.init(name: network.name, classes: network.classes, inChannels: inChannels, head: network.head,
                  lastStride: network.lastStride)
    }

    public func make() throws -> Network {
        try ModelZoo.make(name, classes: classes, inChannels: inChannels, head: head ?? .classifier, lastStride: lastStride ?? 2)
    }
}

/// One weighted loss term with every argument of its method, defaults
/// included, so that a later change of a default cannot change an old run.
public struct LossTermSpecification: Codable, Equatable, Sendable {
    public var name: String
    public var weight: Double
    public var arguments: [String: MethodArgument]

    /// `arguments` are completed with the method's defaults and checked.
    public init(name: String, weight: Double, arguments: [String: MethodArgument] = [:]) throws {
        self.name = name
        self.weight = weight
        self.arguments = try MethodCatalog.entry(named: name).resolve(arguments).values
    }

    /// Arguments an entry already resolved (`MethodEntry.resolve`).
    public init(weight: Double, resolved: MethodArguments) {
        name = resolved.method
        self.weight = weight
        arguments = resolved.values
    }

    /// The method built from these arguments, with its weight.
    public func makeTerm() throws -> DistillationTerm {
        let entry = try MethodCatalog.entry(named: name)
        return DistillationTerm(try entry.make(try entry.resolve(arguments)), weight: Float(weight))
    }
}

/// Everything a run is besides its weights: `run.json` in its directory.
/// `RunLauncher` starts, reuses and resumes a run from it and the
/// checkpoint, with no front end involved.
///
/// Format versions: 1 (the first) stored only the loss arguments that
/// differed from their defaults and named augmentations as "crop" and
/// "flip"; it still loads, its arguments completed with the defaults of
/// that time (which are today's: none has changed since). 2 stores every
/// argument, the augmentations with their parameters, and `val`.
public struct RunSpecification: Equatable, Sendable {
    public static let formatVersion = 2
    public static let fileName = "run.json"
    public static let teacherWeights = "teacher.safetensors"

    public var student: ModelSpecification
    /// Distillation only: the teacher's architecture (its weights are copied
    /// into the run directory as `teacher.safetensors`) and the loss terms.
    public var teacher: ModelSpecification?
    public var losses: [LossTermSpecification]?
    public var data: DatasetSource
    public var test: DatasetSource
    /// The validation set that chooses `best.safetensors`; nil: no "best" is kept.
    public var val: DatasetSource?
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var momentum: Float
    public var weightDecay: Float
    public var nesterov: Bool
    /// Batch norm over the global batch in data-parallel runs (`sync_bn`).
    public var synchronizedBatchNorm: Bool
    public var optimizer: TrainingConfiguration.OptimizerKind
    public var schedule: LearningRateSchedule
    public var augment: [Augmentation]
    public var seed: UInt64
    /// K of P x K sampling (`TrainingConfiguration.instancesPerIdentity`).
    public var instances: Int?

    public init(student: ModelSpecification, teacher: ModelSpecification? = nil, losses: [LossTermSpecification]? = nil,
                data: DatasetSource, test: DatasetSource, val: DatasetSource? = nil, configuration: TrainingConfiguration) {
        self.student = student
        self.teacher = teacher
        self.losses = losses
        self.data = data
        self.test = test
        self.val = val
        epochs = configuration.epochs
        batchSize = configuration.batchSize
        learningRate = configuration.learningRate
        momentum = configuration.momentum
        weightDecay = configuration.weightDecay
        nesterov = configuration.nesterov
        synchronizedBatchNorm = configuration.synchronizedBatchNorm
        optimizer = configuration.optimizer
        schedule = configuration.schedule
        augment = configuration.augmentation
        seed = configuration.seed
        instances = configuration.instancesPerIdentity
    }

    /// The trainer's configuration for this run, writing into `directory`.
    public func configuration(outputDirectory directory: String) -> TrainingConfiguration {
        var configuration = TrainingConfiguration(epochs: epochs, outputDirectory: directory)
        configuration.batchSize = batchSize
        configuration.learningRate = learningRate
        configuration.momentum = momentum
        configuration.weightDecay = weightDecay
        configuration.nesterov = nesterov
        configuration.synchronizedBatchNorm = synchronizedBatchNorm
        configuration.optimizer = optimizer
        configuration.schedule = schedule
        configuration.augmentation = augment
        configuration.seed = seed
        configuration.instancesPerIdentity = instances
        return configuration
    }

    /// The objective: cross-entropy alone, or a distiller with freshly built terms.
    public func makeObjective(teacher network: Network?) throws -> TrainingObjective {
        guard let losses else { return CrossEntropyObjective() }
        return try Distiller(teacher: network, terms: try losses.map { try $0.makeTerm() }, seed: seed)
    }
}

extension RunSpecification: Codable {
    enum CodingKeys: String, CodingKey {
        case version, student, teacher, losses, data, test, val, epochs, batchSize, learningRate, momentum, weightDecay
        case nesterov, optimizer, schedule, augment, seed, instances
        case synchronizedBatchNorm = "sync_bn"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatVersion, forKey: .version)
        try container.encode(student, forKey: .student)
        try container.encodeIfPresent(teacher, forKey: .teacher)
        try container.encodeIfPresent(losses, forKey: .losses)
        try container.encode(data, forKey: .data)
        try container.encode(test, forKey: .test)
        try container.encodeIfPresent(val, forKey: .val)
        try container.encode(epochs, forKey: .epochs)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(learningRate, forKey: .learningRate)
        try container.encode(momentum, forKey: .momentum)
        try container.encode(weightDecay, forKey: .weightDecay)
        try container.encode(nesterov, forKey: .nesterov)
        try container.encode(synchronizedBatchNorm, forKey: .synchronizedBatchNorm)
        try container.encode(optimizer, forKey: .optimizer)
        try container.encode(schedule, forKey: .schedule)
        try container.encode(augment, forKey: .augment)
        try container.encode(seed, forKey: .seed)
        try container.encodeIfPresent(instances, forKey: .instances)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard (1...Self.formatVersion).contains(version) else {
            throw RunError.unsupportedFormat(version: version, newest: Self.formatVersion)
        }
        student = try container.decode(ModelSpecification.self, forKey: .student)
        teacher = try container.decodeIfPresent(ModelSpecification.self, forKey: .teacher)
        data = try container.decode(DatasetSource.self, forKey: .data)
        test = try container.decode(DatasetSource.self, forKey: .test)
        val = try container.decodeIfPresent(DatasetSource.self, forKey: .val)
        epochs = try container.decode(Int.self, forKey: .epochs)
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        learningRate = try container.decode(Double.self, forKey: .learningRate)
        momentum = try container.decode(Float.self, forKey: .momentum)
        weightDecay = try container.decode(Float.self, forKey: .weightDecay)
        nesterov = try container.decode(Bool.self, forKey: .nesterov)
        // Absent in files written before data-parallel training: off.
        synchronizedBatchNorm = try container.decodeIfPresent(Bool.self, forKey: .synchronizedBatchNorm) ?? false
        optimizer = try container.decode(TrainingConfiguration.OptimizerKind.self, forKey: .optimizer)
        schedule = try container.decode(LearningRateSchedule.self, forKey: .schedule)
        seed = try container.decode(UInt64.self, forKey: .seed)
        instances = try container.decodeIfPresent(Int.self, forKey: .instances)
        // LossTermSpecification's initializer completes the arguments: a
        // version 1 file gains the defaults it left out.
        let stored = try container.decodeIfPresent([StoredLossTerm].self, forKey: .losses)
        losses = try stored?.map { try LossTermSpecification(name: $0.name, weight: $0.weight, arguments: $0.arguments) }
        if version == 1 {
            augment = try container.decode([String].self, forKey: .augment).map { name in
                guard let augmentation = Self.versionOneAugmentations[name] else {
                    throw DecodingError.dataCorruptedError(forKey: .augment, in: container,
                                                           debugDescription: "unknown augmentation \"\(name)\"")
                }
                return augmentation
            }
        } else {
            augment = try container.decode([Augmentation].self, forKey: .augment)
        }
    }

    private struct StoredLossTerm: Decodable {
        var name: String
        var weight: Double
        var arguments: [String: MethodArgument]
    }

    /// Version 1's names: "crop" (32 with padding 4, RepDistiller's) and "flip" (probability 0.5).
    private static let versionOneAugmentations: [String: Augmentation] = [
        "crop": .randomCrop(size: 32, padding: 4), "flip": .horizontalFlip(probability: 0.5),
    ]
}
