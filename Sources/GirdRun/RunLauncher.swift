import Foundation
import GirdData
import GirdDistill
import GirdNN
import GirdTensor
import GirdTrain

/// One run to start: what it is (`specification`, written as `run.json`),
/// where, and the objects it trains and reads. A front end builds this; a
/// Swift program can too:
///
///     var configuration = TrainingConfiguration(epochs: 5, outputDirectory: "")
///     configuration.schedule = .cosine
///     let specification = RunSpecification(
///         student: ModelSpecification(name: "resnet8", classes: 10, inChannels: 1),
///         teacher: ModelSpecification(name: "resnet20", classes: 10, inChannels: 1),
///         losses: [try LossTermSpecification(name: "ce", weight: 1), try LossTermSpecification(name: "gird", weight: 1)],
///         data: .fashionMNIST(split: "train", root: nil), test: .fashionMNIST(split: "test", root: nil),
///         configuration: configuration)
///     let request = try RunRequest(specification: specification, directory: "runs/gird", reuse: true, teacher: teacher)
///     let result = try RunLauncher().run(request)
public struct RunRequest {
    public var specification: RunSpecification
    public var directory: String
    /// Reuse a directory that holds this very run: a finished one is not
    /// trained again, an interrupted one continues.
    public var reuse: Bool
    public var student: Network
    public var teacher: Network?
    /// The terms, built already (a front end that checked them when they
    /// were named); nil builds them from the specification.
    public var terms: [DistillationTerm]?
    public var data: Dataset
    public var test: Dataset
    public var val: Dataset?
    /// Files that explain the run, written into a fresh run's directory
    /// (paths relative to it): a recipe front end's recipe, params, command.
    public var provenance: [(path: String, contents: Data)]

    /// The objects `specification` names: the student built from it unless
    /// given, the datasets loaded from their sources unless given.
    public init(specification: RunSpecification, directory: String, reuse: Bool = false, student: Network? = nil,
                teacher: Network? = nil, terms: [DistillationTerm]? = nil, data: Dataset? = nil, test: Dataset? = nil,
                val: Dataset? = nil, provenance: [(path: String, contents: Data)] = []) throws {
        self.specification = specification
        self.directory = directory
        self.reuse = reuse
        self.student = try student ?? specification.student.make()
        self.teacher = teacher
        self.terms = terms
        self.data = try data ?? specification.data.load()
        self.test = try test ?? specification.test.load()
        self.val = try val ?? specification.val?.load()
        self.provenance = provenance
    }
}

/// What a run gave: the trainer's result and the student it trained.
public struct RunResult {
    public var training: TrainingRun
    public var student: Network
    /// True when `reuse` found the run finished and trained nothing.
    public var reused: Bool
}

/// Starts, reuses, resumes and checks runs: the run directory and its
/// `run.json`, the teacher's weights beside them, and the trainer. The
/// engine's way to run an experiment; the recipe language's `train`,
/// `distill` and `resume` are thin bindings over it.
public final class RunLauncher {
    /// Asked between steps (Ctrl-C); see `Trainer.shouldStop`.
    public var shouldStop: (() -> Bool)?
    public var progress: ProgressStyle = .automatic
    /// TensorBoard's event files in the run directory (nil: none); not part
    /// of the run's identity, so a resume logs with the launcher's own.
    public var tensorBoard: TensorBoardSettings? = TensorBoardSettings()
    /// Threads that decode each batch (`TrainingConfiguration.loaderThreads`);
    /// not part of the run's identity either.
    public var loaderThreads = 1
    /// Starts each epoch line (a sweep names its run).
    public var progressLabel: String?
    /// Where the launcher says what it decided ("continuing from its checkpoint").
    public var report: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// The ranks that train (see `Trainer.processGroup`); rank 0 alone
    /// decides on `reuse` and writes the run directory.
    public var processGroup: ProcessGroup = ProcessGroups.world

    public init() {}

    /// Everything a run checks before it trains, without training or writing
    /// anything: the configuration, sizes against memory, and a probe pass
    /// through both networks with every tap the terms read.
    public func check(_ request: RunRequest) throws {
        let configuration = request.specification.configuration(outputDirectory: request.directory)
        try configuration.validate()
        try Self.checkMemory(request)
        // What the trainer checks before step 1, so that a dry run catches it too.
        var shape = request.data.imageShape
        for transform in configuration.augmentation { shape = try transform.outputShape(for: shape) }
        let estimate = try MemoryEstimate.make(
            model: request.student, trainableValues: request.student.parameterCount, optimizer: configuration.optimizer,
            momentum: configuration.momentum, batch: min(configuration.batchSize, max(request.data.count, 1)), imageShape: shape)
        if let available = MemoryEstimate.available() { try estimate.check(available: available.bytes, source: available.source) }
        let objective = try Self.objective(for: request)
        if let distiller = objective as? Distiller {
            try distiller.prepare(student: request.student, imageShape: request.data.imageShape,
                                  trainingSetSize: request.data.count)
        } else {
            _ = try GradMode.withoutGradient { try request.student(Tensor.zeros([2] + request.data.imageShape)) }
        }
    }

    /// Trains the run (or, with `reuse`, takes what its directory already holds).
    public func run(_ request: RunRequest) throws -> RunResult {
        let specification = request.specification, directory = request.directory
        var configuration = specification.configuration(outputDirectory: directory)
        configuration.progress = progress
        configuration.tensorBoard = tensorBoard
        configuration.loaderThreads = loaderThreads
        try configuration.validate()
        try Self.checkMemory(request)
        let group = processGroup
        let decision = try RankZero.decide(in: group) { () throws -> RunReuse.Decision in
            guard request.reuse else { return .fresh }
            let decision = try RunReuse.decide(directory: directory, specification: specification, teacher: request.teacher)
            if case .resume(_, false) = decision { try Self.checkRanks(directory: directory, group: group) }
            return decision
        }
        let objective = try Self.objective(for: request)
        let taps = try Self.taps(of: objective, student: request.student)
        let trainer = Trainer(configuration: configuration, objective: objective)
        trainer.shouldStop = shouldStop
        trainer.progressLabel = progressLabel
        trainer.processGroup = group
        if case .resume(let checkpoint, let finished) = decision {
            if !finished { try Self.checkTaps(taps, directory: directory) }
            if group.rank == 0 {
                report(finished ? "\(directory): finished before, reusing its result" : "\(directory): continuing from its checkpoint")
            }
            if !finished { try RankZero.write(in: group) { try Self.recordResume(in: directory, seed: specification.seed) } }
            let run = try trainer.resume(from: checkpoint, model: request.student, trainSet: request.data,
                                         testSet: request.test, valSet: request.val)
            return RunResult(training: run, student: request.student, reused: finished)
        }
        try RankZero.write(in: group) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw RunError.cannotWrite(path: directory, reason: error.localizedDescription)
            }
            try RunDirectory.write(request.provenance, to: directory)
            try RunFile(specification: specification, taps: taps,
                        environment: .current(seed: specification.seed, ranks: group.size))
                .write(to: directory)
            if let teacher = request.teacher {
                try teacher.saveWeights(to: directory + "/" + RunSpecification.teacherWeights)
            }
        }
        let run = try trainer.train(model: request.student, trainSet: request.data, testSet: request.test, valSet: request.val)
        return RunResult(training: run, student: request.student, reused: false)
    }

    /// Continues the run in `directory` (or the directory of a checkpoint
    /// path) from its checkpoint, bit-exactly; a finished run gives its
    /// result again. `student`, when given, is trained in place (the model
    /// object of the session that started the run); it must be the run's
    /// architecture. Otherwise a fresh one is built from `run.json`.
    public func resume(directory path: String, student: Network? = nil) throws -> RunResult {
        let directory = RunDirectory.directory(of: path)
        let file = try RunFile.read(from: directory)
        let specification = file.specification
        if let student, student.name != specification.student.name || student.classes != specification.student.classes {
            throw RunError.unreadable(
                path: directory + "/" + RunSpecification.fileName,
                reason: "the run trains a \(specification.student.name) of \(specification.student.classes) classes, "
                    + "not the \(student.name) of \(student.classes) classes given")
        }
        var teacher: Network?
        if let teacherSpecification = specification.teacher {
            let network = try teacherSpecification.make()
            try network.loadWeights(contentsOf: directory + "/" + RunSpecification.teacherWeights)
            teacher = network
        }
        let request = try RunRequest(specification: specification, directory: directory, student: student, teacher: teacher)
        var configuration = specification.configuration(outputDirectory: directory)
        configuration.progress = progress
        configuration.tensorBoard = tensorBoard
        configuration.loaderThreads = loaderThreads
        let objective = try Self.objective(for: request)
        try Self.checkTaps(try Self.taps(of: objective, student: request.student), directory: directory)
        let trainer = Trainer(configuration: configuration, objective: objective)
        trainer.shouldStop = shouldStop
        trainer.progressLabel = progressLabel
        let group = processGroup
        trainer.processGroup = group
        try RankZero.write(in: group) {
            try Self.checkRanks(directory: directory, group: group)
            try Self.recordResume(in: directory, seed: specification.seed)
        }
        let run = try trainer.resume(from: directory + "/checkpoint.safetensors", model: request.student,
                                     trainSet: request.data, testSet: request.test, valSet: request.val)
        return RunResult(training: run, student: request.student, reused: false)
    }

    private static func objective(for request: RunRequest) throws -> TrainingObjective {
        guard let terms = request.terms else { return try request.specification.makeObjective(teacher: request.teacher) }
        return try Distiller(teacher: request.teacher, terms: terms, seed: request.specification.seed)
    }

    /// The layers each term of a distillation reads (nil without a teacher).
    private static func taps(of objective: TrainingObjective, student: Network) throws -> [RunFile.TermTaps]? {
        guard let distiller = objective as? Distiller else { return nil }
        return try zip(distiller.terms, distiller.tapRequests(student: student)).map {
            RunFile.TermTaps(method: $0.method.name, student: $1.student, teacher: $1.teacher)
        }
    }

    /// Continuing a run must read the layers it started with: a default
    /// that now resolves to others would change the run halfway.
    private static func checkTaps(_ taps: [RunFile.TermTaps]?, directory: String) throws {
        guard let recorded = try RunFile.read(from: directory).taps, let taps else { return }
        for (old, new) in zip(recorded, taps) where old != new {
            throw RunError.differentTaps(directory: directory, recorded: old, now: new)
        }
    }

    /// A batch of images must fit in memory (its activations need more, but
    /// a batch that alone exceeds it is certainly a mistake).
    private static func checkMemory(_ request: RunRequest) throws {
        let batch = min(request.specification.batchSize, max(request.data.count, 1))
        try MemoryLimit.check([batch] + request.data.imageShape,
                              what: "a batch of \(request.specification.batchSize) images of shape \(formatShape(request.data.imageShape))")
    }

    /// Appends where this part runs to `run.json`'s `resumes`.
    private static func recordResume(in directory: String, seed: UInt64) throws {
        var file = try RunFile.read(from: directory)
        file.resumes.append(.current(seed: seed))
        try file.write(to: directory)
    }

    /// A run continues on as many ranks as it started with: the shards of
    /// each batch, and with them batch norm's statistics, depend on it.
    private static func checkRanks(directory: String, group: ProcessGroup) throws {
        let file = try RunFile.read(from: directory)
        let trained = file.environment?.ranks ?? 1
        guard trained == group.size else {
            throw RunError.differentRanks(directory: directory, trained: trained, now: group.size)
        }
    }
}
