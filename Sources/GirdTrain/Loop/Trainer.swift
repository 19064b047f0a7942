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
/// a line of `metrics.jsonl` and `metrics.csv`, and a checkpoint.
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
        try configuration.validate()
        let directory = configuration.outputDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try objective.prepare(model: model, trainSet: trainSet)
        let auxiliary = objective.trainableModules
        let namedParameters = model.namedParameters()
            + auxiliary.flatMap { $0.module.namedParameters(prefix: "aux.\($0.name).") }
        let owners = state.merging(objective.trainingState) { own, _ in own }
        let optimizer = try configuration.makeOptimizer(parameters: namedParameters.map(\.tensor))
        let loader = try DataLoader(trainSet, batchSize: configuration.batchSize, shuffle: true, seed: configuration.seed,
                                    augmentation: configuration.augmentation, normalized: configuration.normalized)
        let stepsPerEpoch = loader.batchCount, epochs = configuration.epochs
        guard stepsPerEpoch >= 1 else {
            throw TrainingError.invalidConfiguration("training set '\(trainSet.name)' has no images")
        }

        var state = CheckpointState(position: DataLoader.Position(epoch: 0, batch: 0), seed: configuration.seed,
                                    optimizer: configuration.optimizer, schedule: configuration.schedule.description,
                                    epochs: epochs, stepsPerEpoch: stepsPerEpoch, bestTop1: -1, history: [])
        if let checkpoint {
            let saved = try Checkpoint.load(from: checkpoint, into: model, auxiliary: auxiliary, optimizer: optimizer,
                                            parameterNames: namedParameters.map(\.name), state: owners)
            try saved.checkCompatible(with: state, path: checkpoint)
            state = saved
        }

        var progress = ProgressReporter(style: configuration.progress, epochs: epochs, label: progressLabel)
        if let progressOutput { progress.write = progressOutput }
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
            state.partialEpoch = nil
            while true {
                if let shouldStop, shouldStop() {
                    batches.stop()
                    state.position = batches.position
                    state.partialEpoch = .init(lossSum: lossSum, steps: steps, firstRate: firstRate,
                                               seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) * 1e-9)
                    try Checkpoint.save(state, model: model, auxiliary: auxiliary, optimizer: optimizer,
                                        parameterNames: namedParameters.map(\.name), state: owners, to: checkpointPath)
                    if steps > 0 { progress.stopped() }
                    throw TrainingError.interrupted(epoch: epoch, batch: state.position.batch, checkpoint: checkpointPath)
                }
                guard let (inputs, labels) = try batches.next() else { break }
                let step = batches.position.batch - 1
                let start = step * configuration.batchSize
                let batch = TrainingBatch(images: inputs, labels: labels,
                                          indices: Array(order[start..<min(start + configuration.batchSize, order.count)]),
                                          epoch: epoch, batch: step)
                optimizer.learningRate = try configuration.schedule.learningRate(
                    base: configuration.learningRate, epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch, epochs: epochs)
                firstRate = firstRate ?? optimizer.learningRate
                let value = try objective.loss(model: model, batch: batch)
                guard value.nonFiniteCount() == 0 else {
                    batches.stop()
                    optimizer.clearGradients()
                    let kept = FileManager.default.fileExists(atPath: checkpointPath) ? checkpointPath : nil
                    if steps > 0 { progress.stopped() }
                    throw TrainingError.nonFiniteLoss(epoch: epoch, batch: step, checkpoint: kept)
                }
                try value.backward()
                try optimizer.step()
                optimizer.clearGradients()
                try objective.afterStep()
                lossSum += Double(try value.item())
                steps += 1
                images += inputs.shape[0]
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) * 1e-9
                let rate = Double(images) / max(seconds, 1e-9)
                let remaining = Double((epochs - epoch) * imagesPerEpoch - images) / rate
                progress.step(epoch: epoch, batch: step, batches: stepsPerEpoch, loss: lossSum / Double(steps),
                              imagesPerSecond: rate, secondsLeft: remaining)
            }

            let kept = FileManager.default.fileExists(atPath: checkpointPath) ? checkpointPath : nil
            // A step can leave the weights non-finite with a finite loss; the
            // next step would notice, but the epoch's last has no next.
            if let bad = namedParameters.first(where: { $0.tensor.nonFiniteCount() > 0 }) {
                throw TrainingError.nonFiniteEpoch(epoch: epoch, what: "the weight '\(bad.name)' is not finite", checkpoint: kept)
            }
            let result = try Evaluation.evaluate(model, on: testSet, batchSize: configuration.evaluationBatchSize,
                                                 normalized: configuration.normalized)
            let validation = try valSet.map {
                try Evaluation.evaluate(model, on: $0, batchSize: configuration.evaluationBatchSize,
                                        normalized: configuration.normalized)
            }
            for (name, value) in [("test", result.loss), ("validation", validation?.loss ?? 0)] where !value.isFinite {
                throw TrainingError.nonFiniteEpoch(epoch: epoch, what: "the \(name) loss is \(value)", checkpoint: kept)
            }
            let record = EpochRecord(
                epoch: epoch, trainLoss: steps > 0 ? lossSum / Double(steps) : .nan, testTop1: result.top1,
                testTop5: result.top5, testLoss: result.loss, learningRate: Double(firstRate ?? optimizer.learningRate),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) * 1e-9,
                valTop1: validation?.top1, valLoss: validation?.loss)
            state.history.append(record)
            state.position = DataLoader.Position(epoch: epoch + 1, batch: 0)
            var epochMetadata = ["epoch": String(epoch), "test_top1": "\(result.top1)"]
            if let validation {
                epochMetadata["val_top1"] = "\(validation.top1)"
                if validation.top1 > state.bestTop1 {
                    state.bestTop1 = validation.top1
                    state.bestEpoch = epoch
                    try model.saveWeights(to: directory + "/best.safetensors", metadata: epochMetadata)
                }
            }
            try model.saveWeights(to: directory + "/last.safetensors", metadata: epochMetadata)
            try Checkpoint.save(state, model: model, auxiliary: auxiliary, optimizer: optimizer,
                                parameterNames: namedParameters.map(\.name), state: owners, to: checkpointPath)
            try MetricsLog.write(state.history, to: directory)
            progress.epochEnded(record)
        }
        return Self.summary(state, checkpoint: checkpointPath, directory: directory)
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
