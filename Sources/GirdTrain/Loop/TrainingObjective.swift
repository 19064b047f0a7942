import GirdData
import GirdNN
import GirdTensor

/// One training batch as a loss sees it: the images (normalised and
/// augmented as configured), their labels, and where they come from in the
/// dataset (CRD's memory bank is keyed by the dataset index of each image).
public struct TrainingBatch {
    public let images: Tensor
    public let labels: Tensor
    /// The dataset index of each image, in batch order.
    public let indices: [Int]
    /// Counts from 0: the epoch and the batch within it.
    public let epoch: Int
    public let batch: Int

    public init(images: Tensor, labels: Tensor, indices: [Int], epoch: Int = 0, batch: Int = 0) {
        self.images = images
        self.labels = labels
        self.indices = indices
        self.epoch = epoch
        self.batch = batch
    }
}

/// What a run optimises, beyond a plain loss closure: a distillation's
/// combination of terms, with modules of its own that train with the
/// model (connectors, embeddings), work to do after each optimizer step (a
/// memory bank's enqueue), and state that checkpoints carry.
///
/// The trainer calls, per step: `loss(model:batch:)`, backward, the
/// optimizer's step, then `afterStep()`. Before the first step it calls
/// `prepare(model:trainSet:)` once (also on a resume, before the checkpoint
/// is read, so that modules exist when their weights are restored).
public protocol TrainingObjective: AnyObject {
    /// The ranks of the run, before `prepare` (state shared across the
    /// batch must stay identical on every rank).
    func join(_ group: ProcessGroup)
    func prepare(model: Network, trainSet: Dataset) throws
    func loss(model: Network, batch: TrainingBatch) throws -> Tensor
    func afterStep() throws
    /// Modules trained with the model, by name; their parameters follow the
    /// model's in the optimizer and are saved as `aux.<name>.<parameter>`.
    var trainableModules: [(name: String, module: Module)] { get }
    /// State saved as `state.<name>.*` in checkpoints.
    var trainingState: [String: TrainingState] { get }
    /// The names of the terms the loss adds up (`ce`, `kd`, `gird`, a
    /// second term of one method as `kd_2`), logged as `loss_<name>`; none
    /// for a plain loss.
    var lossTermNames: [String] { get }
    /// Each term's weighted value in the last `loss(model:batch:)`, in the
    /// order of `lossTermNames`: they add up to the loss.
    var lastLossTerms: [Double] { get }
    /// The model's logits in the last `loss(model:batch:)`, detached, for
    /// the training top-1 and top-5; nil when the objective does not see them.
    var lastLogits: Tensor? { get }
    /// Matrices to show as images at the end of each epoch (TensorBoard's
    /// `relationImages`), of `images`, a fixed batch (the training set's
    /// first 32): GIRD's relation matrices. The model's mode is restored.
    func epochImages(model: Network, images: Tensor) throws -> [EpochImage]
}

/// A matrix shown as a grey image: `low` black, `high` white.
public struct EpochImage {
    public var tag: String
    public var values: [Float]
    public var rows: Int
    public var columns: Int
    public var low: Float
    public var high: Float

    public init(tag: String, values: [Float], rows: Int, columns: Int, low: Float, high: Float) {
        self.tag = tag
        self.values = values
        self.rows = rows
        self.columns = columns
        self.low = low
        self.high = high
    }
}

extension TrainingObjective {
    public func join(_ group: ProcessGroup) {}
    public func prepare(model: Network, trainSet: Dataset) throws {}
    public func afterStep() throws {}
    public var trainableModules: [(name: String, module: Module)] { [] }
    public var trainingState: [String: TrainingState] { [:] }
    public var lossTermNames: [String] { [] }
    public var lastLossTerms: [Double] { [] }
    public var lastLogits: Tensor? { nil }
    public func epochImages(model: Network, images: Tensor) throws -> [EpochImage] { [] }
}

/// Plain supervised training: cross-entropy of the model's logits.
public final class CrossEntropyObjective: TrainingObjective {
    public private(set) var lastLogits: Tensor?

    public init() {}

    public func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
        let logits = try model(batch.images)
        lastLogits = logits.detach()
        return try Tensor.crossEntropy(logits, labels: batch.labels)
    }
}

/// A `TrainingLoss` closure as an objective.
final class ClosureObjective: TrainingObjective {
    let body: TrainingLoss

    init(_ body: @escaping TrainingLoss) { self.body = body }

    func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
        try body(model, batch.images, batch.labels)
    }
}
