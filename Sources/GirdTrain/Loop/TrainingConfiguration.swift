import GirdData
import GirdTensor

/// Everything a run's outcome depends on besides the model and the data:
/// RepDistiller's CIFAR defaults where it has them (batch 64, momentum 0.9,
/// weight decay 5e-4).
public struct TrainingConfiguration: Sendable {
    public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
        case sgd, adam, adamW
    }

    public var epochs: Int
    public var batchSize: Int = 64
    /// The base rate the schedule scales; a Double as the schedule computes in Double.
    public var learningRate: Double = 0.05
    /// SGD only.
    public var momentum: Float = 0.9
    public var weightDecay: Float = 5e-4
    /// SGD only.
    public var nesterov: Bool = false
    public var optimizer: OptimizerKind = .sgd
    public var schedule: LearningRateSchedule = .constant
    /// Keys the loader's shuffling and augmentation (see `DataLoader`).
    public var seed: UInt64 = 0
    public var augmentation: [Augmentation] = []
    /// Images are normalised with the dataset's constants, for training and evaluation.
    public var normalized: Bool = true
    public var evaluationBatchSize: Int = 256
    /// Data-parallel runs: batch norm's training statistics over the global
    /// batch (`nn.SyncBatchNorm`) instead of each rank's share (DDP's
    /// default). No effect in one process.
    public var synchronizedBatchNorm: Bool = false
    /// Where `metrics.jsonl`, `metrics.csv` and the checkpoints go (created if missing).
    public var outputDirectory: String
    public var progress: ProgressStyle = .automatic
    /// TensorBoard's event files in the output directory (nil: none).
    /// Not part of what a run computes: a resume may log otherwise.
    public var tensorBoard: TensorBoardSettings? = TensorBoardSettings()
    /// Threads that decode and augment each batch (`DataLoader.threads`), and
    /// decode the evaluation sets' files. Not part of what a run computes:
    /// every image is a function of its position alone.
    public var loaderThreads: Int = 1
    /// K of P x K sampling for metric learning (`IdentitySampling`): batches
    /// of batchSize / K identities with K images each; nil for shuffled batches.
    public var instancesPerIdentity: Int?
    /// The memory the run may take, in bytes, in place of what the machine
    /// reports (`MemoryEstimate.available()`): a job's own budget, or a test's.
    /// Not part of what a run computes.
    public var availableMemory: Int?

    public init(epochs: Int, outputDirectory: String) {
        self.epochs = epochs
        self.outputDirectory = outputDirectory
    }

    /// Throws when the settings cannot make a run (before any file is written).
    public func validate() throws {
        guard epochs >= 1, batchSize >= 1, evaluationBatchSize >= 1 else {
            throw TrainingError.invalidConfiguration(
                "epochs (\(epochs)), batch size (\(batchSize)) and evaluation batch size (\(evaluationBatchSize)) must be at least 1")
        }
        for (size, name) in [(batchSize, "batch size"), (evaluationBatchSize, "evaluation batch size")] where size > Int(Int32.max) {
            throw TrainingError.invalidConfiguration(
                "the \(name) must be at most \(Int32.max) (oneDNN and OpenBLAS take sizes as 32-bit ints), got \(size)")
        }
        if let every = tensorBoard?.every, every < 0 {
            throw TrainingError.invalidConfiguration("log_every must be zero (epochs only) or more, got \(every)")
        }
        guard (1...256).contains(loaderThreads) else {
            throw TrainingError.invalidConfiguration("loader threads must be in 1...256, got \(loaderThreads)")
        }
        if let instances = instancesPerIdentity, instances < 1 || batchSize % instances != 0 || batchSize / instances < 2 {
            throw TrainingError.invalidConfiguration(
                "P x K sampling needs a batch size that is a multiple of instances (K) with at least 2 identities a batch, "
                    + "got batch size \(batchSize) and instances \(instances)")
        }
        guard learningRate >= 0 else {
            throw TrainingError.invalidConfiguration("learning rate must be non-negative, got \(learningRate)")
        }
    }

    /// A fresh optimizer of the configured kind over `parameters` (in
    /// `namedParameters()` order, which checkpoints rely on).
    func makeOptimizer(parameters: [Tensor]) throws -> Optimizer {
        let rate = Float(learningRate)
        switch optimizer {
        case .sgd:
            return try SGD(parameters: parameters, learningRate: rate, momentum: momentum, weightDecay: weightDecay,
                           nesterov: nesterov)
        case .adam:
            return try Adam(parameters: parameters, learningRate: rate, weightDecay: weightDecay)
        case .adamW:
            return try AdamW(parameters: parameters, learningRate: rate, weightDecay: weightDecay)
        }
    }
}
