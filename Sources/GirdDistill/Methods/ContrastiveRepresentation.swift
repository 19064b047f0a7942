import GirdNN
import GirdTensor
import GirdTrain

/// Tian, Krishnan, Isola, "Contrastive Representation Distillation" (ICLR
/// 2020), as RepDistiller's `CRDLoss`: both embeddings are projected to a
/// unit sphere of `featureDimension` by trained heads (`EmbeddingHead`),
///
///     v_s = normalize(W_s f_s + b_s),   v_t = normalize(W_t f_t + b_t)
///
/// and each is contrasted with the other side's memory bank
/// (`ContrastMemory`): its own image's row is the positive, K rows drawn
/// uniformly over the training set the negatives,
///
///     L = NCE(scores of v_s against M_t) + NCE(scores of v_t against M_s)
///
/// (`ContrastLoss`). After the optimizer's step the batch's rows of both
/// banks move towards v_s and v_t (momentum 0.5). Under `mpirun` the
/// memory is shared by every rank (`ContrastMemory`). Defaults are RepDistiller's:
/// 128 dimensions, K = 16384, T = 0.07, m = 0.5, on the embeddings (`feat[-1]`).
public final class ContrastiveRepresentation: DistillationMethod {
    public let name = "crd"
    /// `-b 0.8` in RepDistiller's `scripts/run_cifar_distill.sh` (with `-a 0`).
    public static let publishedWeight: Float = 0.8
    public let featureDimension: Int
    public let negatives: Int
    public let temperature: Float
    public let momentum: Float
    private let explicitTaps: (student: String, teacher: String)?
    public private(set) var taps: (student: String, teacher: String) = ("embedding", "embedding")
    public private(set) var studentHead: EmbeddingHead?
    public private(set) var teacherHead: EmbeddingHead?
    public private(set) var memory: ContrastMemory?
    /// The last step's positives and embeddings, for `afterStep()`.
    private var pendingUpdate: (indices: [Int], student: Tensor, teacher: Tensor)?

    public init(featureDimension: Int = 128, negatives: Int = 16384, temperature: Float = 0.07, momentum: Float = 0.5,
                studentTap: String? = nil, teacherTap: String? = nil) throws {
        guard featureDimension > 0 else {
            throw DistillationError.invalidConfiguration("crd: the feature dimension must be positive, got \(featureDimension)")
        }
        guard negatives > 0 else {
            throw DistillationError.invalidConfiguration("crd: the number of negatives must be positive, got \(negatives)")
        }
        try DistillationError.requirePositive(temperature, "temperature T", method: "crd")
        guard momentum >= 0, momentum < 1 else {
            throw DistillationError.invalidConfiguration("crd: the memory momentum must be in [0, 1), got \(momentum)")
        }
        switch (studentTap, teacherTap) {
        case let (student?, teacher?): explicitTaps = (student, teacher)
        case (nil, nil): explicitTaps = nil
        default: throw DistillationError.invalidConfiguration("crd: give both a student and a teacher tap, or neither")
        }
        self.featureDimension = featureDimension
        self.negatives = negatives
        self.temperature = temperature
        self.momentum = momentum
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        taps = explicitTaps ?? ("embedding", "embedding")
        return TapRequest(student: [taps.student], teacher: [taps.teacher])
    }

    public func build(_ setup: DistillationSetup) throws {
        guard setup.trainingSetSize > 0 else {
            throw DistillationError.invalidConfiguration("crd: the memory needs the training set's size, got \(setup.trainingSetSize)")
        }
        let studentSize = setup.studentShape(taps.student).reduce(1, *), teacherSize = setup.teacherShape(taps.teacher).reduce(1, *)
        // Its two memories (one row per training image), the heads, and each
        // step's contrast rows; sizes a recipe sets, checked before any allocation.
        try MemoryLimit.check([2, setup.trainingSetSize, featureDimension],
                              what: "crd: memories of \(setup.trainingSetSize) images x feat_dim \(featureDimension)")
        try MemoryLimit.check([studentSize + teacherSize, featureDimension],
                              what: "crd: embedding heads of feat_dim \(featureDimension)")
        try MemoryLimit.check([DistillationSetup.probeBatch, negatives + 1, featureDimension],
                              what: "crd: nce_k = \(negatives) contrast rows of feat_dim \(featureDimension) per image")
        studentHead = try EmbeddingHead(inputSize: studentSize, outputSize: featureDimension, generator: setup.generator)
        teacherHead = try EmbeddingHead(inputSize: teacherSize, outputSize: featureDimension, generator: setup.generator)
        // The negatives' stream is the memory's own, seeded from the setup's
        // generator, so that it is checkpointed and resumed on its own.
        memory = try ContrastMemory(size: setup.trainingSetSize, dimension: featureDimension, negatives: negatives,
                                    temperature: temperature, momentum: momentum,
                                    generator: RandomGenerator(seed: setup.generator.next()))
        memory?.processGroup = setup.processGroup
        pendingUpdate = nil
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        guard let memory else { throw DistillationError.invalidConfiguration("crd: build(_:) was not called") }
        let student = try step.student(taps.student)
        guard step.indices.count == student.shape[0] else {
            throw DistillationError.invalidConfiguration(
                "crd: needs the dataset index of every image, got \(step.indices.count) for a batch of \(student.shape[0])")
        }
        // Data-parallel: the negatives of the global batch are drawn on
        // every rank (one stream everywhere), each keeping its own rows.
        let (global, start) = try memory.processGroup.allGatherIndices(step.indices.map(Int64.init))
        let contrast = try memory.contrastIndices(positives: global.map(Int.init), keeping: start..<(start + step.indices.count))
        return try loss(student: student, teacher: try step.teacher(taps.teacher), indices: step.indices,
                        contrastIndices: contrast)
    }

    /// The loss with given contrast indices ([B, K + 1], `indices` first in
    /// each row), as RepDistiller's `CRDLoss.forward(f_s, f_t, idx, contrast_idx)`.
    /// Keeps the embeddings for the memory update of `afterStep()`.
    public func loss(student: Tensor, teacher: Tensor, indices: [Int], contrastIndices: Tensor) throws -> Tensor {
        guard let studentHead, let teacherHead, let memory else {
            throw DistillationError.invalidConfiguration("crd: build(_:) was not called")
        }
        guard indices.count == student.shape[0], contrastIndices.shape.first == indices.count,
              indices.allSatisfy({ $0 >= 0 && $0 < memory.size }) else {
            throw DistillationError.invalidConfiguration(
                "crd: \(indices.count) indices (each below \(memory.size)) and contrast indices \(contrastIndices.shape) do not fit a batch of \(student.shape[0])")
        }
        let studentEmbedding = try studentHead(student), teacherEmbedding = try teacherHead(teacher.detach())
        let scores = try memory.scores(student: studentEmbedding, teacher: teacherEmbedding, contrastIndices: contrastIndices)
        pendingUpdate = (indices, studentEmbedding.detach(), teacherEmbedding.detach())
        return try ContrastLoss.loss(scores.student, dataSize: memory.size) + ContrastLoss.loss(scores.teacher, dataSize: memory.size)
    }

    public func afterStep() throws {
        guard let memory, let update = pendingUpdate else { return }
        try memory.update(indices: update.indices, student: update.student, teacher: update.teacher)
        pendingUpdate = nil
    }

    /// Named as RepDistiller's `CRDLoss` children, so their weights load by name.
    public var trainableModules: [(name: String, module: Module)] {
        guard let studentHead, let teacherHead else { return [] }
        return [("embed_s", studentHead), ("embed_t", teacherHead)]
    }

    public var trainingState: TrainingState? { memory }
}

extension ContrastiveRepresentation {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "crd", summary: "Tian et al. 2020: contrastive representation distillation (memory bank, NCE)",
        parameters: [.init("feat_dim", .number(128), "embedding size", .positiveSize),
                     .init("nce_k", .number(16384), "negatives per positive", .positiveSize),
                     .init("nce_t", .number(0.07), "temperature"),
                     .init("nce_m", .number(0.5), "memory momentum"),
                     .studentTap, .teacherTap],
        publishedWeight: publishedWeight) { arguments in
        try ContrastiveRepresentation(featureDimension: arguments.integer("feat_dim"), negatives: arguments.integer("nce_k"),
                                      temperature: arguments.float("nce_t"), momentum: arguments.float("nce_m"),
                                      studentTap: arguments.singleTap("student_tap"),
                                      teacherTap: arguments.singleTap("teacher_tap"))
    }
}
