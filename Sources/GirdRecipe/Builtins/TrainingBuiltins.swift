import Foundation
import GirdData
import GirdDistill
import GirdInterrupt
import GirdNN
import GirdRun
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
/// Thin bindings over the engine's `RunLauncher` (GirdRun): they turn
/// recipe values into a `RunSpecification` and a `RunRequest`, and the
/// result into a record. The steps run natively; their cost per step is nil.
extension BuiltinRegistry {
    /// The keywords `train` and `distill` share, after their own.
    static let runKeywords = "test: none, val: none, epochs, batch_size: 64, lr: 0.05, momentum: 0.9, weight_decay: 5e-4, "
        + "nesterov: false, optimizer: \"sgd\", schedule: \"constant\", augment: [], seed: 0, out: none, reuse: false, sync_bn: false, "
        + "tensorboard: true, log_every: 50, log_relations: false, loader_threads: none, instances: none"

    static var trainingBuiltins: [Builtin] {
        [
            Builtin("train", "model, data, *, losses: none, " + runKeywords,
                    doc: "trains a model with cross-entropy (or losses: terms that need no teacher, e.g. [ce(label_smoothing: 0.1), triplet()]); returns {best_top1, final_top1, history, checkpoint, dir, model}; val: a dataset that chooses best.safetensors; reuse: true with out: does not repeat a finished run there (and continues an interrupted one); instances: K gives P x K batches (batch_size / K identities, K images each)", computes: true) { arguments in
                let student = try arguments.object("model", as: ModelObject.self, named: "model")
                let data = try arguments.object("data", as: DatasetObject.self, named: "dataset")
                var losses: [LossTermObject]?
                if case .none = arguments["losses"] {} else { losses = try lossTerms(arguments) }
                return try RunBinding(arguments).run(student: student, data: data, teacher: nil, losses: losses)
            },
            Builtin("distill", "*, teacher, student, data, losses, " + runKeywords,
                    doc: "distils a student from a frozen teacher with weighted loss terms; returns the run record as train", computes: true) { arguments in
                let teacher = try arguments.object("teacher", as: ModelObject.self, named: "model")
                let student = try arguments.object("student", as: ModelObject.self, named: "model")
                let data = try arguments.object("data", as: DatasetObject.self, named: "dataset")
                return try RunBinding(arguments).run(student: student, data: data, teacher: teacher, losses: try lossTerms(arguments))
            },
            Builtin("resume", "path", doc: "continues the run in a run directory (or its checkpoint.safetensors) bit-exactly; the record's model holds the final weights (the session's own model object when this session started the run)", computes: true) { arguments in
                try RunBinding.resume(path: try arguments.string("path"), context: arguments.context, span: arguments.span)
            },
            Builtin("multistep", "milestones, gamma: 0.1", doc: "rate times gamma at each milestone epoch (RepDistiller: [150, 180, 210], 0.1)") { arguments in
                .object(ScheduleObject(try .multiStep(milestones: try arguments.ints("milestones"), gamma: try arguments.double("gamma"))))
            },
            Builtin("warmup", "epochs, schedule", doc: "a linear warm-up over the first epochs, then the schedule (a name or a schedule)") { arguments in
                .object(ScheduleObject(try .warmup(epochs: try arguments.int("epochs"),
                                                   then: try schedule(arguments["schedule"], builtin: "warmup"))))
            },
        ]
    }

    /// `losses:`, a non-empty list of loss terms.
    static func lossTerms(_ arguments: BuiltinArguments) throws -> [LossTermObject] {
        let name = arguments.builtin.name
        let losses = try arguments.list("losses").map { value -> LossTermObject in
            guard case .object(let object) = value, let term = object as? LossTermObject else {
                throw BuiltinFailure("\(name)(): losses must be a list of loss terms (ce(), kd(), gird(), ...), got a \(value.typeName)")
            }
            return term
        }
        guard !losses.isEmpty else { throw BuiltinFailure("\(name)(): losses is empty; give at least one term, e.g. [ce(), kd()]") }
        return losses
    }

    /// `"constant"`, `"cosine"` or a schedule object.
    static func schedule(_ value: Value, builtin: String) throws -> LearningRateSchedule {
        switch value {
        case .object(let object as ScheduleObject): return object.schedule
        case .string(let name):
            do {
                return try BuiltinChoice.match(name, among: ["constant", "cosine"], parameter: "schedule", builtin: nil) == "cosine"
                    ? .cosine : .constant
            } catch {
                throw BuiltinFailure("\(builtin)(): unknown schedule \(Value.quote(name)); use \"constant\", \"cosine\", multistep(...) or warmup(...)")
            }
        default:
            throw BuiltinFailure("\(builtin)(): schedule must be \"constant\", \"cosine\", multistep(...) or warmup(...), got a \(value.typeName)")
        }
    }
}

/// One `train` or `distill` call: its arguments as a `RunSpecification` and
/// a `RunRequest` for the engine's `RunLauncher` (or, with `--dry-run`, its
/// check: the probe pass through both networks with every tap, the
/// configuration, the sizes).
struct RunBinding {
    let arguments: BuiltinArguments
    private var name: String { arguments.builtin.name }

    init(_ arguments: BuiltinArguments) { self.arguments = arguments }

    /// The engine's run errors name the builtin, as its own do.
    func run(student: ModelObject, data: DatasetObject, teacher: ModelObject?, losses: [LossTermObject]?) throws -> Value {
        do {
            return try launch(student: student, data: data, teacher: teacher, losses: losses)
        } catch let error as RunError {
            throw BuiltinFailure("\(name)(): \(error)")
        }
    }

    private func launch(student: ModelObject, data: DatasetObject, teacher: ModelObject?, losses: [LossTermObject]?) throws -> Value {
        let context = arguments.context
        let test = try dataset("test") ?? data
        let val = try dataset("val")
        var configuration = TrainingConfiguration(epochs: try arguments.int("epochs"), outputDirectory: "")
        configuration.batchSize = try arguments.int("batch_size")
        configuration.learningRate = try arguments.double("lr")
        configuration.momentum = Float(try arguments.double("momentum"))
        configuration.weightDecay = Float(try arguments.double("weight_decay"))
        configuration.nesterov = try arguments.bool("nesterov")
        configuration.synchronizedBatchNorm = try arguments.bool("sync_bn")
        let optimizers = TrainingConfiguration.OptimizerKind.allCases
        let optimizer = try arguments.choice("optimizer", among: optimizers.map(\.rawValue))
        configuration.optimizer = optimizers.first { $0.rawValue == optimizer } ?? .sgd
        configuration.schedule = try BuiltinRegistry.schedule(arguments["schedule"], builtin: name)
        configuration.augmentation = try arguments.list("augment").map { try augmentation($0, data: data.dataset) }
        configuration.instancesPerIdentity = try arguments.optionalInt("instances")
        let seed = try arguments.int("seed")
        guard seed >= 0 else { throw BuiltinFailure("\(name)(): seed must be zero or more, got \(seed)") }
        configuration.seed = UInt64(seed)
        try configuration.validate()
        let specification = RunSpecification(
            student: ModelSpecification(student.network, inChannels: student.inChannels),
            teacher: teacher.map { ModelSpecification($0.network, inChannels: $0.inChannels) },
            losses: losses?.map(\.specification), data: data.source, test: test.source, val: val?.source,
            configuration: configuration)

        let reuse = try arguments.bool("reuse")
        let givenDirectory = try arguments.optionalString("out")
        if reuse && givenDirectory == nil { throw RunError.reuseWithoutDirectory }
        let directory = givenDirectory ?? RunDirectory.defaultPath(name: context.mainFile.map {
            URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "repl")
        try context.options.writePolicy.check(directory, builtin: name)
        let request = try RunRequest(
            specification: specification, directory: directory, reuse: reuse, student: student.network,
            teacher: teacher?.network, terms: try losses?.map { try $0.takeTerm() }, data: data.dataset, test: test.dataset,
            val: val?.dataset, provenance: RunProvenance.files(context: context))
        let launcher = RunBinding.launcher(context: context, label: directory)
        launcher.tensorBoard = try tensorBoardSettings()
        let fileBacked = [data, test, val].contains { $0?.dataset.files != nil }
        launcher.loaderThreads = try arguments.optionalInt("loader_threads")
            ?? (fileBacked ? BuiltinRegistry.defaultLoaderThreads : 1)
        guard (1...256).contains(launcher.loaderThreads) else {
            throw BuiltinFailure("\(name)(): loader_threads must be in 1...256, got \(launcher.loaderThreads)")
        }
        if context.isDryRun {
            try launcher.check(request)
            return RunBinding.record(nil, model: student, directory: directory)
        }
        context.sessionRuns.models[RunBinding.key(directory)] = student
        return try RunBinding.execute(span: arguments.span) {
            RunBinding.record(try launcher.run(request).training, model: student, directory: directory)
        }
    }

    static func resume(path: String, context: InterpreterContext, span: SourceSpan) throws -> Value {
        let directory = RunDirectory.directory(of: path)
        try context.options.writePolicy.check(directory, builtin: "resume")
        let specification = try RunFile.read(from: directory).specification
        // The model object of the session that started the run, so that it
        // holds the final weights (`m` after `distill(student: m)`, Ctrl-C, `resume`).
        let sessionModel = context.sessionRuns.models[key(directory)]
        let launcher = launcher(context: context, label: directory)
        // A resumed ImageNet run decodes on the cores, as its first part did by default.
        launcher.loaderThreads = BuiltinRegistry.defaultLoaderThreads
        if context.isDryRun {
            let model = try sessionModel ?? ModelObject(network: specification.student.make(),
                                                        inChannels: specification.student.inChannels)
            return record(nil, model: model, directory: directory)
        }
        return try execute(span: span) {
            let result = try launcher.resume(directory: directory, student: sessionModel?.network)
            let model = sessionModel ?? ModelObject(network: result.student, inChannels: specification.student.inChannels)
            context.sessionRuns.models[key(directory)] = model
            return record(result.training, model: model, directory: directory)
        }
    }

    private static func launcher(context: InterpreterContext, label: String) -> RunLauncher {
        let launcher = RunLauncher()
        launcher.shouldStop = { Interrupt.isPending }
        launcher.progressLabel = label
        return launcher
    }

    /// Runs with Ctrl-C wired to the trainer's safe point (between steps):
    /// the run stops with a checkpoint at that step, and the error says how
    /// to resume it.
    private static func execute(span: SourceSpan, _ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch let error as TrainingError {
            if case .interrupted(_, _, let checkpoint) = error {
                Interrupt.clear()
                var interrupt = RecipeError.interrupted(at: span)
                interrupt.message = "\(error); in a recipe: resume(\(Value.quote(RunDirectory.directory(of: checkpoint))))"
                throw interrupt
            }
            throw error
        }
    }

    /// Runs started by this session, by directory: `resume` trains the same model object.
    private static func key(_ directory: String) -> String {
        URL(fileURLWithPath: directory).standardizedFileURL.path
    }

    /// `tensorboard:`, `log_every:` (steps; 0 logs at epochs only) and
    /// `log_relations:` (GIRD's relation matrices as images each epoch).
    private func tensorBoardSettings() throws -> TensorBoardSettings? {
        let every = try arguments.int("log_every")
        guard every >= 0 else {
            throw BuiltinFailure("\(name)(): log_every must be zero (epochs only) or more, got \(every)")
        }
        let relations = try arguments.bool("log_relations")
        return try arguments.bool("tensorboard") ? TensorBoardSettings(every: every, relationImages: relations) : nil
    }

    private func dataset(_ parameter: String) throws -> DatasetObject? {
        switch arguments[parameter] {
        case .none: return nil
        case .object(let object as DatasetObject): return object
        case let other: throw BuiltinFailure("\(name)(): \(parameter) must be a dataset, got a \(other.typeName)")
        }
    }

    /// `"crop"` (the images' side with padding 4: RepDistiller's 32 on
    /// CIFAR, 64 on Tiny ImageNet), `"flip"` (probability 0.5),
    /// `"random_resized_crop"` (torchvision's ImageNet training crop to the
    /// images' side, scale (0.08, 1), ratio (3/4, 4/3)), and the re-ID
    /// pipelines' `"reid_crop"` (padding 10, torchreid's and fast-reid's
    /// `Pad(10)` + `RandomCrop`) and `"random_erasing"` (p 0.5, scale
    /// (0.02, 0.33), ratio (0.3, 3.3), filled with the dataset's mean).
    private func augmentation(_ value: Value, data: Dataset) throws -> Augmentation {
        let known = "\"crop\", \"flip\", \"random_resized_crop\", \"reid_crop\", \"random_erasing\""
        let side = data.imageShape[1]
        switch value {
        case .string("crop"): return .randomCrop(size: side, padding: 4)
        case .string("flip"): return .horizontalFlip(probability: 0.5)
        case .string("random_resized_crop"): return .randomResizedCrop(size: side)
        case .string("reid_crop"): return .randomCrop(size: side, padding: 10)
        case .string("random_erasing"):
            let mean = data.normalization?.mean ?? Array(repeating: 0.5, count: data.imageShape[0])
            return .randomErasing(probability: 0.5, scale: 0.02...0.33, ratio: 0.3...3.3,
                                  fill: mean.map { UInt8((Double($0) * 255).rounded()) })
        case .string(let other): throw BuiltinFailure("augment: unknown augmentation \"\(other)\"; known: \(known)")
        default: throw BuiltinFailure("augment: a list of names (\(known))")
        }
    }

    /// The record `train`, `distill` and `resume` return (`run` nil: a dry run).
    static func record(_ run: TrainingRun?, model: ModelObject, directory: String) -> Value {
        let epochs: [Value] = (run?.history ?? []).map { epoch in
            var fields: [(String, Value)] = [
                ("epoch", .int(Int64(epoch.epoch))), ("train_loss", .float(epoch.trainLoss)),
                ("test_top1", .float(epoch.testTop1)), ("test_top5", .float(epoch.testTop5)),
                ("test_loss", .float(epoch.testLoss)), ("lr", .float(epoch.learningRate)), ("seconds", .float(epoch.seconds))]
            if let valTop1 = epoch.valTop1 { fields.append(("val_top1", .float(valTop1))) }
            if let valLoss = epoch.valLoss { fields.append(("val_loss", .float(valLoss))) }
            if let trainTop1 = epoch.trainTop1 { fields.append(("train_top1", .float(trainTop1))) }
            if let trainTop5 = epoch.trainTop5 { fields.append(("train_top5", .float(trainTop5))) }
            if !epoch.termLosses.isEmpty {
                // By term name (the epoch record keeps no order): {ce, gird_evo, gird_sim, kd}.
                fields.append(("losses", .record(Record(epoch.termLosses.sorted { $0.key < $1.key }.map { ($0.key, .float($0.value)) }))))
            }
            return .record(Record(fields))
        }
        return .record(Record([
            ("best_top1", .float(run?.bestTop1 ?? 0)), ("final_top1", .float(run?.finalTop1 ?? 0)),
            ("best_epoch", .int(Int64(run?.bestEpoch ?? 0))),
            ("selected_on", .string(run?.selectedOnValidation == true ? "val" : "last")),
            ("history", .list(epochs)), ("checkpoint", .string(run?.checkpointPath ?? directory + "/checkpoint.safetensors")),
            ("dir", .string(directory)), ("dry_run", .bool(run == nil)), ("model", .object(model)),
        ]))
    }
}

/// The models of runs this session started, by run directory.
final class SessionRuns {
    var models: [String: ModelObject] = [:]
}

extension InterpreterContext {
    /// Kept in `extensions`, so that the context need not know about runs.
    var sessionRuns: SessionRuns {
        if let runs = extensions["runs"] as? SessionRuns { return runs }
        let runs = SessionRuns()
        extensions["runs"] = runs
        return runs
    }
}
