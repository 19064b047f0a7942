import Foundation
import GirdData
import GirdNN
import GirdTensor

/// The loss of one training step: a scalar from the model, a batch of
/// images and their labels. Cross-entropy by default; a distillation method
/// passes its own (it may run a teacher inside).
public typealias TrainingLoss = (_ model: Network, _ images: Tensor, _ labels: Tensor) throws -> Tensor

/// What a finished run measured and where it left its files.
public struct TrainingRun: Equatable, Sendable {
    /// The test top-1 of the kept model: at the epoch of the best validation
    /// top-1 when the run has a validation set (`best.safetensors`), else at
    /// the last epoch. The test set never chooses an epoch.
    public var bestTop1: Double
    /// The epoch (from 0) `bestTop1` is from.
    public var bestEpoch: Int
    /// Whether a validation set chose `bestEpoch` (else it is the last).
    public var selectedOnValidation: Bool
    public var finalTop1: Double
    public var history: [EpochRecord]
    /// The full training state after the last epoch (`resume(from:)` reads it).
    public var checkpointPath: String
    public var directory: String
}

/// Trains a network, as RepDistiller's `train_vanilla` loop: per step the
/// schedule sets the rate, the model (in training mode) gives a loss, its
/// gradient updates the parameters; per epoch an evaluation on the test set,
/// a line of `metrics.jsonl` and `metrics.csv`, TensorBoard's events (see
/// `TrainingEventLog`), and a checkpoint.
///
///     var configuration = TrainingConfiguration(epochs: 240, outputDirectory: "runs/resnet8")
///     configuration.schedule = try .multiStep(milestones: [150, 180, 210], gamma: 0.1)
///     let run = try Trainer(configuration: configuration).train(model: model, trainSet: train, testSet: test)
///     // after an interruption, with a freshly built model:
///     let run = try Trainer(configuration: configuration).resume(from: "runs/resnet8/checkpoint.safetensors", ...)
///
/// Files in the run directory: `checkpoint.safetensors` (everything a resume
/// needs, see `Checkpoint`), `last.safetensors` (the model's weights alone,
/// loadable by PyTorch), `best.safetensors` only with a validation set (the
/// weights at its best top-1: the test set never selects), the two metrics
/// files. Weights that are not finite are never written: a run that diverges
/// stops with `TrainingError` and keeps its last good files.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let objective: TrainingObjective
    /// State owned by the loss (or anything else) that checkpoints carry,
    /// by name, besides the objective's own; see `TrainingState`.
    public var state: [String: TrainingState] = [:]
    /// Asked between steps; when it answers true the run writes a checkpoint
    /// at the current batch (so that `resume(from:)` continues exactly
    /// there) and throws `TrainingError.interrupted`. The REPL's Ctrl-C.
    public var shouldStop: (() -> Bool)?
    /// Replaces standard error for the progress lines (tests).
    var progressOutput: ((String) -> Void)?
    /// Starts every epoch line (a sweep names its run: `runs/kd-s1: epoch 1/5 ...`).
    public var progressLabel: String?
    /// The ranks that train together (data-parallel, see `docs/distributed.md`):
    /// the process's default group, a single process unless it joined an MPI
    /// job. Each rank takes its share of every batch; gradients are averaged
    /// over the global batch; rank 0 alone writes files and reports progress.
    public var processGroup: ProcessGroup = ProcessGroups.world
    /// Seconds this rank spent in collectives after backward: the gradient
    /// reduction it waited for, and the small agreements of each step.
    public private(set) var communicationSeconds: Double = 0
    /// Wall-clock seconds of each training step of the last `train` or
    /// `resume` (loss, backward, reduction, optimizer), for benchmarks.
    public private(set) var stepSeconds: [Double] = []

    public init(configuration: TrainingConfiguration, loss: @escaping TrainingLoss = Trainer.crossEntropy) {
        self.configuration = configuration
        self.objective = ClosureObjective(loss)
    }

    public init(configuration: TrainingConfiguration, objective: TrainingObjective) {
        self.configuration = configuration
        self.objective = objective
    }

    public static func crossEntropy(model: Network, images: Tensor, labels: Tensor) throws -> Tensor {
        try Tensor.crossEntropy(model(images), labels: labels)
    }

    public var checkpointPath: String { configuration.outputDirectory + "/checkpoint.safetensors" }

    /// Trains `model` from its current weights for `configuration.epochs`
    /// epochs. With `valSet`, each epoch is also evaluated on it and
    /// `best.safetensors` keeps the epoch of its best top-1.
    public func train(model: Network, trainSet: Dataset, testSet: Dataset, valSet: Dataset? = nil) throws -> TrainingRun {
        try run(model: model, trainSet: trainSet, testSet: testSet, valSet: valSet, checkpoint: nil)
    }

    /// Continues the run saved in `checkpoint` with `model` (a network of the
    /// same architecture; its weights are replaced by the checkpoint's):
    /// weights, optimizer state, schedule and data order carry on where they
    /// were, so that the result is bit for bit the uninterrupted run's (at a
    /// fixed thread count). The configuration must be the run's.
    public func resume(from checkpoint: String, model: Network, trainSet: Dataset, testSet: Dataset,
                       valSet: Dataset? = nil) throws -> TrainingRun {
        try run(model: model, trainSet: trainSet, testSet: testSet, valSet: valSet, checkpoint: checkpoint)
    }

    private func run(model: Network, trainSet: Dataset, testSet: Dataset, valSet: Dataset?,
                     checkpoint: String?) throws -> TrainingRun {
        let group = processGroup
        guard group.isDistributed else {
            return try runSteps(model: model, trainSet: trainSet, testSet: testSet, valSet: valSet, checkpoint: checkpoint)
        }
        do {
            return try runSteps(model: model, trainSet: trainSet, testSet: testSet, valSet: valSet, checkpoint: checkpoint)
        } catch let error as TrainingError {
            // Every TrainingError is decided alike on every rank (from
            // agreed values), so each rank throws it and none waits.
            throw error
        } catch {
            // Anything else may have happened on this rank only, while the
            // others wait in a collective: end them all, with the reason.
            FileHandle.standardError.write(Data("error: rank \(group.rank) of \(group.size): \(error)\n".utf8))
            group.abort(code: 1)
        }
    }

    private func runSteps(model: Network, trainSet: Dataset, testSet: Dataset, valSet: Dataset?,
                          checkpoint: String?) throws -> TrainingRun {
        try configuration.validate()
        let group = processGroup, distributed = group.isDistributed, writes = group.rank == 0
        stepSeconds = []
        communicationSeconds = 0
        let directory = configuration.outputDirectory
        if writes { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        if distributed { try Self.checkSameData([trainSet, testSet] + (valSet.map { [$0] } ?? []), group: group) }
        objective.join(group)
        try objective.prepare(model: model, trainSet: trainSet)
        let termNames = objective.lossTermNames
        let auxiliary = objective.trainableModules
        let namedParameters = model.namedParameters()
            + auxiliary.flatMap { $0.module.namedParameters(prefix: "aux.\($0.name).") }
        let owners = state.merging(objective.trainingState) { own, _ in own }
        let optimizer = try configuration.makeOptimizer(parameters: namedParameters.map(\.tensor))
        let loader = try DataLoader(trainSet, batchSize: configuration.batchSize, shuffle: true, seed: configuration.seed,
                                    augmentation: configuration.augmentation, normalized: configuration.normalized,
                                    shard: BatchShard(rank: group.rank, count: group.size), threads: configuration.loaderThreads,
                                    instances: configuration.instancesPerIdentity)
        let stepsPerEpoch = loader.batchCount, epochs = configuration.epochs
        let usesDropout = model.hasDropout
        defer { if usesDropout { model.setDropoutKey(nil) } }
        guard stepsPerEpoch >= 1 else {
            throw TrainingError.invalidConfiguration("training set '\(trainSet.name)' has no images")
        }
        // Before anything steps: a run that cannot fit fails now, with the figures.
        let estimate = try MemoryEstimate.make(
            model: model, trainableValues: namedParameters.reduce(0) { $0 + $1.tensor.count }, optimizer: configuration.optimizer,
            momentum: configuration.momentum, batch: loader.positions(ofBatch: 0).count, imageShape: loader.outputShape,
            prefetch: loader.prefetch)
        var memoryError: Error?
        if let available = configuration.availableMemory.map({ ($0, "the configuration's availableMemory") }) ?? MemoryEstimate.available() {
            do { try estimate.check(available: available.0, source: available.1) } catch { memoryError = error }
        }
        // Machines differ: every rank stops if one must, so that none waits in a collective.
        if distributed, try group.any(memoryError != nil), memoryError == nil {
            memoryError = TrainingError.notEnoughMemory("another rank of this run has too little memory for it (its error gives the figures)")
        }
        if let memoryError { throw memoryError }

        var state = CheckpointState(position: DataLoader.Position(epoch: 0, batch: 0), seed: configuration.seed,
                                    optimizer: configuration.optimizer, schedule: configuration.schedule.description,
                                    epochs: epochs, stepsPerEpoch: stepsPerEpoch, bestTop1: -1, history: [])
        if let checkpoint {
            let saved = try Checkpoint.load(from: checkpoint, into: model, auxiliary: auxiliary, optimizer: optimizer,
                                            parameterNames: namedParameters.map(\.name), state: owners)
            try saved.checkCompatible(with: state, path: checkpoint)
            state = saved
            // A run killed between its checkpoint and its metrics files left
            // them an epoch behind: they are the checkpoint's history again.
            if writes { try MetricsLog.write(state.history, terms: termNames, to: directory) }
        }
        if distributed && configuration.synchronizedBatchNorm {
            let layers = ([model] + auxiliary.map(\.module)).flatMap(\.descendants).compactMap { $0 as? BatchNorm }
            for layer in layers { layer.synchronization = group }
        }
        defer {
            for layer in ([model] + auxiliary.map(\.module)).flatMap(\.descendants).compactMap({ $0 as? BatchNorm }) {
                layer.synchronization = nil
            }
        }
        let buffers = model.namedBuffers().map(\.tensor) + auxiliary.flatMap { $0.module.namedBuffers().map(\.tensor) }
        let reducer = distributed ? GradientReducer(parameters: namedParameters.map(\.tensor), group: group) : nil
        // Every rank starts from rank 0's weights, as DDP does at construction.
        try group.broadcast(namedParameters.map(\.tensor) + buffers, from: 0)

        // Rank 0 alone writes TensorBoard's events, from the reduced figures.
        let events = try configuration.tensorBoard.flatMap { settings in
            writes ? try TrainingEventLog(directory: directory, settings: settings, terms: termNames) : nil
        }
        var progress = ProgressReporter(style: configuration.progress, epochs: epochs, label: progressLabel)
        if let progressOutput { progress.write = progressOutput }
        if !writes { progress.write = { _ in } }
        optimizer.clearGradients()
        let imagesPerEpoch = trainSet.count
        while state.position.epoch < epochs {
            // An epoch resumed mid-way counts the seconds its first part took.
            let epochStart = DispatchTime.now().uptimeNanoseconds
                - UInt64(max(0, (state.partialEpoch?.seconds ?? 0) * 1e9))
            let epoch = state.position.epoch
            model.train()
            for part in auxiliary { part.module.train() }
            let batches = loader.start(at: state.position)
            let order = loader.order(epoch: epoch)
            var lossSum = state.partialEpoch?.lossSum ?? 0, steps = state.partialEpoch?.steps ?? 0, images = 0
            var firstRate: Float? = state.partialEpoch?.firstRate
            var termSums = state.partialEpoch?.termSums ?? [:]
            var trainAccuracy = state.partialEpoch?.trainCorrect
            state.partialEpoch = nil
            while true {
                var stopping = shouldStop?() ?? false
                // A Ctrl-C reaches the ranks at different moments: they stop
                // together, at the first step boundary any of them sees it.
                if distributed { stopping = try group.any(stopping) }
                if stopping {
                    batches.stop()
                    state.position = batches.position
                    state.partialEpoch = .init(lossSum: lossSum, steps: steps, firstRate: firstRate,
                                               seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) * 1e-9,
                                               termSums: termSums.isEmpty ? nil : termSums, trainCorrect: trainAccuracy)
                    try group.broadcast(buffers, from: 0)
                    if writes {
                        try Checkpoint.save(state, model: model, auxiliary: auxiliary, optimizer: optimizer,
                                            parameterNames: namedParameters.map(\.name), state: owners, to: checkpointPath)
                    }
                    if steps > 0 { progress.stopped() }
                    throw TrainingError.interrupted(epoch: epoch, batch: state.position.batch, checkpoint: checkpointPath)
                }
                guard let (inputs, labels) = try batches.next() else { break }
                let step = batches.position.batch - 1
                let globalImages = loader.globalSize(ofBatch: step)
                // A last batch with fewer images than ranks would leave a
                // rank with none: every rank skips it (at most size − 1
                // images an epoch; one process never skips).
                if globalImages < group.size { continue }
                let batch = TrainingBatch(images: inputs, labels: labels,
                                          indices: Array(order[loader.positions(ofBatch: step)]),
                                          epoch: epoch, batch: step)
                let stepStart = DispatchTime.now().uptimeNanoseconds
                optimizer.learningRate = try configuration.schedule.learningRate(
                    base: configuration.learningRate, epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch, epochs: epochs)
                firstRate = firstRate ?? optimizer.learningRate
                // Batch norm's running statistics are rank 0's on every rank
                // before each step (DDP's broadcast_buffers).
                if distributed { try group.broadcast(buffers, from: 0) }
                // Dropout masks are a function of (seed, global step, rank),
                // so that a resumed run draws what the uninterrupted one did.
                if usesDropout {
                    model.setDropoutKey(Dropout.stepKey(seed: configuration.seed, step: epoch * stepsPerEpoch + step, rank: group.rank))
                }
                let value = try objective.loss(model: model, batch: batch)
                let share = Double(inputs.shape[0]) / Double(globalImages)
                // The mean loss (and of each term) over the global batch; NaN
                // anywhere is NaN on every rank.
                var stepLoss = value.nonFiniteCount() == 0 ? Double(try value.item()) : .nan
                var stepTerms = objective.lastLossTerms
                var stepAccuracy = try objective.lastLogits.map { try TrainingAccuracy(logits: $0, labels: labels) }
                if distributed {
                    let started = DispatchTime.now().uptimeNanoseconds
                    let counts = stepAccuracy.map { [$0.top1, $0.top5, $0.seen].map(Double.init) } ?? []
                    let sums = try group.allReduceSum(([stepLoss] + stepTerms).map { share * $0 } + counts)
                    (stepLoss, stepTerms) = (sums[0], Array(sums[1..<(1 + stepTerms.count)]))
                    if stepAccuracy != nil {
                        let total = sums.suffix(3).map { Int($0.rounded()) }
                        stepAccuracy = TrainingAccuracy(top1: total[0], top5: total[1], seen: total[2])
                    }
                    communicationSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
                }
                guard stepLoss.isFinite else {
                    batches.stop()
                    optimizer.clearGradients()
                    let kept = FileManager.default.fileExists(atPath: checkpointPath) ? checkpointPath : nil
                    if steps > 0 { progress.stopped() }
                    throw TrainingError.nonFiniteLoss(epoch: epoch, batch: step, checkpoint: kept)
                }
                if let reducer {
                    // Backward from share · loss, so that every gradient that
                    // crosses ranks inside the pass (synchronised batch norm)
                    // is already weighted by its rank's share; the reducer sums.
                    reducer.begin(share: 1)
                    try value.backward(Tensor(Float(share)), leafGradientReady: reducer.gradientReady)
                    let waited = reducer.waitSeconds
                    try reducer.finish()
                    communicationSeconds += reducer.waitSeconds - waited
                } else {
                    try value.backward()
                }
                try optimizer.step()
                optimizer.clearGradients()
                try objective.afterStep()
                stepSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - stepStart) * 1e-9)
                lossSum += stepLoss
                for (name, term) in zip(termNames, stepTerms) { termSums[name, default: 0] += term }
                if let stepAccuracy { trainAccuracy = (trainAccuracy ?? TrainingAccuracy()) + stepAccuracy }
                steps += 1
                images += globalImages
                try events?.step(epoch * stepsPerEpoch + step + 1, loss: stepLoss, terms: stepTerms, accuracy: stepAccuracy,
                                 images: globalImages, learningRate: optimizer.learningRate)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) * 1e-9
                let rate = Double(images) / max(seconds, 1e-9)
                let remaining = Double((epochs - epoch) * imagesPerEpoch - images) / rate
                progress.step(epoch: epoch, batch: step, batches: stepsPerEpoch, loss: lossSum / Double(steps),
                              imagesPerSecond: rate, secondsLeft: remaining)
            }

            let trainingSeconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) * 1e-9
            let kept = FileManager.default.fileExists(atPath: checkpointPath) ? checkpointPath : nil
            // A step can leave the weights non-finite with a finite loss; the
            // next step would notice, but the epoch's last has no next.
            if let bad = namedParameters.first(where: { $0.tensor.nonFiniteCount() > 0 }) {
                throw TrainingError.nonFiniteEpoch(epoch: epoch, what: "the weight '\(bad.name)' is not finite", checkpoint: kept)
            }
            // The model every rank evaluates, and rank 0 saves, is rank 0's.
            try group.broadcast(buffers, from: 0)
            let evaluationGroup = distributed ? group : nil
            let result = try Evaluation.evaluate(model, on: testSet, batchSize: configuration.evaluationBatchSize,
                                                 normalized: configuration.normalized, group: evaluationGroup,
                                                 threads: configuration.loaderThreads)
            let validation = try valSet.map {
                try Evaluation.evaluate(model, on: $0, batchSize: configuration.evaluationBatchSize,
                                        normalized: configuration.normalized, group: evaluationGroup,
                                        threads: configuration.loaderThreads)
            }
            for (name, value) in [("test", result.loss), ("validation", validation?.loss ?? 0)] where !value.isFinite {
                throw TrainingError.nonFiniteEpoch(epoch: epoch, what: "the \(name) loss is \(value)", checkpoint: kept)
            }
            let record = EpochRecord(
                epoch: epoch, trainLoss: steps > 0 ? lossSum / Double(steps) : .nan, testTop1: result.top1,
                testTop5: result.top5, testLoss: result.loss, learningRate: Double(firstRate ?? optimizer.learningRate),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) * 1e-9,
                valTop1: validation?.top1, valLoss: validation?.loss,
                trainTop1: trainAccuracy?.top1Fraction, trainTop5: trainAccuracy?.top5Fraction,
                termLosses: steps > 0 ? termSums.mapValues { $0 / Double(steps) } : [:])
            state.history.append(record)
            state.position = DataLoader.Position(epoch: epoch + 1, batch: 0)
            var epochMetadata = ["epoch": String(epoch), "test_top1": "\(result.top1)"]
            if let validation {
                epochMetadata["val_top1"] = "\(validation.top1)"
                if validation.top1 > state.bestTop1 {
                    state.bestTop1 = validation.top1
                    state.bestEpoch = epoch
                    if writes { try model.saveWeights(to: directory + "/best.safetensors", metadata: epochMetadata) }
                }
            }
            if writes {
                try model.saveWeights(to: directory + "/last.safetensors", metadata: epochMetadata)
                try Checkpoint.save(state, model: model, auxiliary: auxiliary, optimizer: optimizer,
                                    parameterNames: namedParameters.map(\.name), state: owners, to: checkpointPath)
                try MetricsLog.write(state.history, terms: termNames, to: directory)
            }
            progress.epochEnded(record, terms: termNames)
            try events?.epoch(record, imagesPerSecond: Double(images) / max(trainingSeconds, 1e-9))
            if let events, events.relationImages {
                let fixed = try trainSet.batch(indices: Array(0..<min(32, trainSet.count)), normalized: configuration.normalized)
                try events.images(try objective.epochImages(model: model, images: fixed.images), epoch: epoch)
            }
        }
        return Self.summary(state, checkpoint: checkpointPath, directory: directory)
    }

    /// Ranks that loaded different data would train different things (and
    /// might deadlock on different batch counts): they compare fingerprints
    /// first, and all refuse alike.
    static func checkSameData(_ datasets: [Dataset], group: ProcessGroup) throws {
        for dataset in datasets {
            let all = try group.allGather([Int64(bitPattern: dataset.fingerprint)], counts: Array(repeating: 1, count: group.size))
            if let other = all.firstIndex(where: { $0 != all[0] }) {
                throw TrainingError.invalidConfiguration(
                    "rank \(other) loaded other data than rank 0 for '\(dataset.name)' (\(dataset.count) images here); "
                        + "every rank must read the same files")
            }
        }
    }

    /// The run's result from its state: the kept epoch is the validation's
    /// choice when it made one, else the last.
    static func summary(_ state: CheckpointState, checkpoint: String, directory: String) -> TrainingRun {
        let last = state.history.last
        let chosen = state.bestEpoch.flatMap { epoch in state.history.first { $0.epoch == epoch } }
        return TrainingRun(bestTop1: (chosen ?? last)?.testTop1 ?? 0, bestEpoch: (chosen ?? last)?.epoch ?? 0,
                           selectedOnValidation: chosen != nil, finalTop1: last?.testTop1 ?? 0,
                           history: state.history, checkpointPath: checkpoint, directory: directory)
    }
}
