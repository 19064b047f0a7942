import GirdData
import GirdNN
import GirdTensor
import GirdTrain

/// Which layers a method reads, by tap name (see `Network.tapNames`), for
/// the student and the teacher. Logits are always available and need no tap.
public struct TapRequest: Equatable, Sendable {
    public var student: [String]
    public var teacher: [String]

    public init(student: [String] = [], teacher: [String] = []) {
        self.student = student
        self.teacher = teacher
    }
}

/// What a method may size itself by, once its taps are known: the shape of
/// every tap it asked for (and of `logits`) on a probe batch of
/// `DistillationSetup.probeBatch` images, the training set's size (CRD keys
/// its memory by dataset index) and a generator for its modules' weights.
public struct DistillationSetup {
    public static let probeBatch = 2
    public let studentShapes: [String: [Int]]
    public let teacherShapes: [String: [Int]]
    public let classes: Int
    public let trainingSetSize: Int
    public let generator: RandomGenerator
    /// The ranks of a data-parallel run (one process otherwise): methods
    /// with state shared across the batch (GIRD's bank) keep it identical
    /// on every rank through it.
    public let processGroup: ProcessGroup

    public init(studentShapes: [String: [Int]], teacherShapes: [String: [Int]], classes: Int, trainingSetSize: Int,
                generator: RandomGenerator, processGroup: ProcessGroup = SingleProcessGroup()) {
        self.processGroup = processGroup
        self.studentShapes = studentShapes
        self.teacherShapes = teacherShapes
        self.classes = classes
        self.trainingSetSize = trainingSetSize
        self.generator = generator
    }

    /// The shape of a student tap without its batch dimension.
    public func studentShape(_ tap: String) -> [Int] { Array((studentShapes[tap] ?? []).dropFirst()) }
    public func teacherShape(_ tap: String) -> [Int] { Array((teacherShapes[tap] ?? []).dropFirst()) }
}

/// One step as a method sees it. The student's tensors record gradients; the
/// teacher's do not (it ran in eval mode without the tape).
public struct DistillationStep {
    public let student: NetworkOutput
    public let teacher: NetworkOutput
    public let labels: Tensor
    /// The dataset index of each image in the batch.
    public let indices: [Int]
    /// The training epoch, from 0 (DKD's warm-up reads it).
    public let epoch: Int

    public init(student: NetworkOutput, teacher: NetworkOutput, labels: Tensor, indices: [Int], epoch: Int = 0) {
        self.student = student
        self.teacher = teacher
        self.labels = labels
        self.indices = indices
        self.epoch = epoch
    }

    public func student(_ tap: String) throws -> Tensor { try feature(student, tap, side: "student") }
    public func teacher(_ tap: String) throws -> Tensor { try feature(teacher, tap, side: "teacher") }

    private func feature(_ output: NetworkOutput, _ tap: String, side: String) throws -> Tensor {
        if tap == "logits" { return output.logits }
        guard let tensor = output.features[tap] else {
            throw DistillationError.invalidConfiguration("the \(side) tap '\(tap)' was not requested by the method")
        }
        return tensor
    }
}

/// A distillation method (RepDistiller's `distiller_zoo`, mdistiller's
/// `distillers`): one file each, starting with the paper and the formula.
///
/// Life cycle, driven by `Distiller`:
/// 1. `configure(student:teacher:)`: resolve default taps against the two
///    networks and reject an impossible configuration, before any data.
/// 2. `build(_:)`: size connectors and memories from the probe shapes.
/// 3. per step `loss(_:)` (unweighted: the term's weight is the
///    distiller's), then after the optimizer's step `afterStep()`.
public protocol DistillationMethod: AnyObject {
    /// Short lowercase name, as in recipes (`kd`, `gird`).
    var name: String { get }
    func configure(student: Network, teacher: Network) throws -> TapRequest
    func build(_ setup: DistillationSetup) throws
    func loss(_ step: DistillationStep) throws -> Tensor
    func afterStep() throws
    /// Modules trained with the student (connectors, embeddings, critics).
    var trainableModules: [(name: String, module: Module)] { get }
    /// What a checkpoint must carry (a memory bank), if anything.
    var trainingState: TrainingState? { get }
    /// The parts a method's loss adds up, logged separately (GIRD's `sim`
    /// and `evo`: the term `gird` is logged as `gird_sim` and `gird_evo`);
    /// none when the loss is one piece.
    var partNames: [String] { get }
    /// Each part's value in the last `loss(_:)`, unweighted by the term's
    /// weight, in the order of `partNames`: they add up to the loss.
    var lastParts: [Double] { get }
}

extension DistillationMethod {
    public func build(_ setup: DistillationSetup) throws {}
    public func afterStep() throws {}
    public var trainableModules: [(name: String, module: Module)] { [] }
    public var trainingState: TrainingState? { nil }
    public var partNames: [String] { [] }
    public var lastParts: [Double] { [] }
}

/// A term that reads only the student and the labels (`ce`, `triplet`):
/// a run of such terms alone needs no teacher (`Distiller(teacher: nil)`,
/// the recipe's `train(..., losses:)`). Its `configure` is then handed the
/// student in the teacher's place, and must not read it.
public protocol SupervisedMethod: DistillationMethod {}
