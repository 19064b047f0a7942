import Foundation
import GirdData
import GirdDistill
import GirdInterrupt
import GirdNN
import GirdTensor
import GirdTrain

/// A learning-rate schedule a recipe built with `multistep` or `warmup`.
public final class ScheduleObject: RecipeObject {
    public let schedule: LearningRateSchedule

    init(_ schedule: LearningRateSchedule) { self.schedule = schedule }

    public var typeName: String { "schedule" }
    public var summary: String { "<schedule \(schedule)>" }
}

/// Training and distillation: `train`, `distill`, `resume`, the schedules.
/// A run is a `Trainer` over the engine; the recipe layer builds it once and
/// the steps run natively, so its cost per step is nil.
extension BuiltinRegistry {
    /// The keywords `train` and `distill` share, after their own.
    static let runKeywords = "test: none, epochs, batch_size: 64, lr: 0.05, momentum: 0.9, weight_decay: 5e-4, "
        + "nesterov: false, optimizer: \"sgd\", schedule: \"constant\", augment: [], seed: 0, out: none, reuse: false"

    static var trainingBuiltins: [Builtin] {
        [
            Builtin("train", "model, data, *, " + runKeywords,
                    doc: "trains a model with cross-entropy; returns {best_top1, final_top1, history, checkpoint, dir}; reuse: true with out: does not repeat a finished run there (and continues an interrupted one)") { arguments in
                let student = try arguments.object(0, as: ModelObject.self, named: "model")
                let data = try arguments.object(1, as: DatasetObject.self, named: "dataset")
                return try RunLauncher(arguments: arguments, firstKeyword: 2).run(student: student, data: data, teacher: nil, losses: nil)
            },
            Builtin("distill", "*, teacher, student, data, losses, " + runKeywords,
                    doc: "distils a student from a frozen teacher with weighted loss terms; returns the run record as train") { arguments in
                let teacher = try arguments.object(0, as: ModelObject.self, named: "model")
                let student = try arguments.object(1, as: ModelObject.self, named: "model")
                let data = try arguments.object(2, as: DatasetObject.self, named: "dataset")
                let losses = try arguments.list(3).map { value -> LossTermObject in
                    guard case .object(let object) = value, let term = object as? LossTermObject else {
                        throw BuiltinFailure("distill(): losses must be a list of loss terms (ce(), kd(), gird(), ...), got a \(value.typeName)")
                    }
                    return term
                }
                guard !losses.isEmpty else { throw BuiltinFailure("distill(): losses is empty; give at least one term, e.g. [ce(), kd()]") }
                return try RunLauncher(arguments: arguments, firstKeyword: 4).run(student: student, data: data, teacher: teacher, losses: losses)
            },
            Builtin("resume", "path", doc: "continues the run in a run directory (or its checkpoint.safetensors) bit-exactly") { arguments in
                try RunLauncher.resume(path: try arguments.string(0), context: arguments.context, span: arguments.span)
            },
            Builtin("multistep", "milestones, gamma: 0.1", doc: "rate times gamma at each milestone epoch (RepDistiller: [150, 180, 210], 0.1)") { arguments in
                .object(ScheduleObject(try .multiStep(milestones: try arguments.ints(0), gamma: try arguments.double(1))))
            },
            Builtin("warmup", "epochs, schedule", doc: "a linear warm-up over the first epochs, then the schedule (a name or a schedule)") { arguments in
                .object(ScheduleObject(try .warmup(epochs: try arguments.int(0), then: try schedule(arguments.values[1], builtin: "warmup"))))
            },
        ]
    }

    /// `"constant"`, `"cosine"` or a schedule object.
    static func schedule(_ value: Value, builtin: String) throws -> LearningRateSchedule {
        switch value {
        case .string("constant"): return .constant
        case .string("cosine"): return .cosine
        case .object(let object as ScheduleObject): return object.schedule
        case .string(let other):
            throw BuiltinFailure("\(builtin)(): unknown schedule \(Value.quote(other)); use \"constant\", \"cosine\", multistep(...) or warmup(...)")
        default:
            throw BuiltinFailure("\(builtin)(): schedule must be \"constant\", \"cosine\", multistep(...) or warmup(...), got a \(value.typeName)")
        }
    }
}

/// Builds one run from `train`/`distill`'s arguments and runs it (or, with
/// `--dry-run`, checks it: the probe pass through both networks with every
/// tap, the configuration, the output folder).
struct RunLauncher {
    let arguments: BuiltinArguments
    /// Index of `test:`, the first of `runKeywords`.
    let firstKeyword: Int

    private func value(_ offset: Int) -> Value { arguments.values[firstKeyword + offset] }

    func run(student: ModelObject, data: DatasetObject, teacher: ModelObject?, losses: [LossTermObject]?) throws -> Value {
        let context = arguments.context
        let test: DatasetObject
        switch value(0) {
        case .none: test = data
        case .object(let object as DatasetObject): test = object
        default: throw BuiltinFailure("\(arguments.builtin.name)(): test must be a dataset, got a \(value(0).typeName)")
        }
        let k = firstKeyword
        let augment = try arguments.list(k + 9).map { item -> String in
            guard case .string(let name) = item else { throw BuiltinFailure("augment: a list of names (\"crop\", \"flip\")") }
            return name
        }
        let seed = try arguments.int(k + 10)
        guard seed >= 0 else { throw BuiltinFailure("\(arguments.builtin.name)(): seed must be zero or more, got \(seed)") }
        let schedule = try BuiltinRegistry.schedule(value(8), builtin: arguments.builtin.name)
        let specification = RunSpecification(
            student: ModelSpecification(student.network, inChannels: student.inChannels),
            teacher: teacher.map { ModelSpecification($0.network, inChannels: $0.inChannels) },
            losses: losses?.map(\.description), data: data.source, test: test.source,
            epochs: try arguments.int(k + 1), batchSize: try arguments.int(k + 2), learningRate: try arguments.double(k + 3),
            momentum: Float(try arguments.double(k + 4)), weightDecay: Float(try arguments.double(k + 5)),
            nesterov: try arguments.bool(k + 6), optimizer: try arguments.string(k + 7),
            schedule: ScheduleSpecification(schedule.kind), augment: augment, seed: UInt64(seed))
        let reuse = try arguments.bool(k + 12)
        let givenDirectory = try arguments.optionalString(k + 11)
        if reuse && givenDirectory == nil {
            throw BuiltinFailure("\(arguments.builtin.name)(): reuse: true needs out:, the run directory to reuse")
        }
        let directory = givenDirectory ?? RunDirectory.defaultPath(recipe: context.mainFile)
        var configuration = try specification.configuration(outputDirectory: directory)
        try configuration.validate()
        let objective = try Self.objective(teacher: teacher?.network, losses: losses, seed: UInt64(seed))

        if context.isDryRun {
            if let distiller = objective as? Distiller {
                try distiller.prepare(student: student.network, imageShape: data.dataset.imageShape,
                                      trainingSetSize: data.dataset.count)
            } else {
                _ = try GradMode.withoutGradient {
                    try student.network(Tensor.zeros([2] + data.dataset.imageShape))
                }
            }
            return Self.record(bestTop1: 0, finalTop1: 0, history: [], checkpoint: directory + "/checkpoint.safetensors",
                               directory: directory, dryRun: true)
        }

        let decision = reuse ? try RunReuse.decide(directory: directory, specification: specification, teacher: teacher?.network,
                                                   builtin: arguments.builtin.name) : .fresh
        configuration.progress = .automatic
        let trainer = Trainer(configuration: configuration, objective: objective)
        if case .resume(let checkpoint, let finished) = decision {
            FileHandle.standardError.write(Data((finished ? "\(directory): finished before, reusing its result\n"
                                                          : "\(directory): continuing from its checkpoint\n").utf8))
            return try Self.execute(trainer, span: arguments.span) {
                try trainer.resume(from: checkpoint, model: student.network, trainSet: data.dataset, testSet: test.dataset)
            }
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try RunDirectory.writeProvenance(to: directory, context: context)
        try specification.write(to: directory)
        if let teacher { try teacher.network.saveWeights(to: directory + "/" + RunSpecification.teacherWeights) }
        return try Self.execute(trainer, span: arguments.span) {
            try trainer.train(model: student.network, trainSet: data.dataset, testSet: test.dataset)
        }
    }

    static func resume(path: String, context: InterpreterContext, span: SourceSpan) throws -> Value {
        var directory = path
        if path.hasSuffix(".safetensors") { directory = URL(fileURLWithPath: path).deletingLastPathComponent().path }
        let specification = try RunSpecification.read(from: directory)
        let student = try specification.student.make()
        var teacher: Network?
        if let teacherSpecification = specification.teacher {
            let network = try teacherSpecification.make()
            try network.loadWeights(contentsOf: directory + "/" + RunSpecification.teacherWeights)
            teacher = network
        }
        let losses = try specification.losses?.map { try $0.object() }
        let objective = try objective(teacher: teacher, losses: losses, seed: specification.seed)
        let configuration = try specification.configuration(outputDirectory: directory)
        let (data, test) = (try specification.data.load(), try specification.test.load())
        if context.isDryRun {
            return record(bestTop1: 0, finalTop1: 0, history: [], checkpoint: directory + "/checkpoint.safetensors",
                          directory: directory, dryRun: true)
        }
        let trainer = Trainer(configuration: configuration, objective: objective)
        return try execute(trainer, span: span) {
            try trainer.resume(from: directory + "/checkpoint.safetensors", model: student, trainSet: data, testSet: test)
        }
    }

    static func objective(teacher: Network?, losses: [LossTermObject]?, seed: UInt64) throws -> TrainingObjective {
        guard let teacher, let losses else { return CrossEntropyObjective() }
        return try Distiller(teacher: teacher, terms: try losses.map { try $0.makeTerm() }, seed: seed)
    }

    /// Runs with Ctrl-C wired to the trainer's safe point (between steps):
    /// the run stops with a checkpoint at that step, and the error says how
    /// to resume it.
    static func execute(_ trainer: Trainer, span: SourceSpan, _ body: () throws -> TrainingRun) throws -> Value {
        trainer.shouldStop = { Interrupt.isPending }
        do {
            let run = try body()
            return record(bestTop1: run.bestTop1, finalTop1: run.finalTop1, history: run.history,
                          checkpoint: run.checkpointPath, directory: run.directory, dryRun: false)
        } catch let error as TrainingError {
            if case .interrupted(_, _, let checkpoint) = error {
                Interrupt.clear()
                var interrupt = RecipeError.interrupted(at: span)
                interrupt.message = "\(error); in a recipe: resume(\(Value.quote(URL(fileURLWithPath: checkpoint).deletingLastPathComponent().path)))"
                throw interrupt
            }
            throw error
        }
    }

    static func record(bestTop1: Double, finalTop1: Double, history: [EpochRecord], checkpoint: String, directory: String,
                       dryRun: Bool) -> Value {
        let epochs: [Value] = history.map { epoch in
            .record(Record([("epoch", .int(Int64(epoch.epoch))), ("train_loss", .float(epoch.trainLoss)),
                            ("test_top1", .float(epoch.testTop1)), ("test_top5", .float(epoch.testTop5)),
                            ("test_loss", .float(epoch.testLoss)), ("lr", .float(epoch.learningRate)),
                            ("seconds", .float(epoch.seconds))]))
        }
        return .record(Record([("best_top1", .float(bestTop1)), ("final_top1", .float(finalTop1)), ("history", .list(epochs)),
                               ("checkpoint", .string(checkpoint)), ("dir", .string(directory)), ("dry_run", .bool(dryRun))]))
    }
}

/// Plain supervised training: cross-entropy of the model's logits.
final class CrossEntropyObjective: TrainingObjective {
    func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
        try Tensor.crossEntropy(model(batch.images), labels: batch.labels)
    }
}
