import GirdNN
import GirdTensor
import GirdTrain

/// Hu, Zeng, Xie et al., "Global Instance Relation Distillation for
/// convolutional neural network compression", Neural Computing and
/// Applications (2024), doi 10.1007/s00521-024-09635-9. Only the abstract is
/// public; it names three parts (feature reutilization, pairwise similarity
/// relations on the stored features, their evolution across layers). The
/// formulas below are this project's reconstruction (`docs/methods/gird.md`,
/// the contract in the project's spec), every choice a configuration field:
///
///     e = z / max(‖z‖₂, 1e-12),  z = pool(F)               per tapped layer l, per network
///     A = [e ; Q[0..<n)],  R = e · Aᵀ                      B x (B+n), Q the bank of past e
///     L_sim[l] = (1/B) Σ_i KL(p_T,i ‖ p_S,i),  p_i = softmax_{j≠i}(R[i][j] / τ)     ("kl")
///              or mean_{i, j≠i} (R_S − R_T)²                                         ("mse")
///     D[l,m] = R[m] − R[l]  (l < m in the evolution pairs)
///     L_evo[l,m] = mean_{i, j≠i} (D_S − D_T)²   (or the Huber loss, δ = 1)
///     loss = β Σ_l L_sim[l] + γ Σ_(l,m) L_evo[l,m]
///
/// The spec's total adds `w_ce` CE and `w_kd` Hinton KD (T = 4): those are
/// the distiller's other terms (`CrossEntropyTerm`, `KnowledgeDistillation`).
/// After the optimizer's step, the batch's detached embeddings enter the bank
/// (`afterStep`), so a batch never meets itself in the bank.
public final class GIRD: DistillationMethod {
    public let name = "gird"
    public let configuration: Configuration
    /// The layer pairs, resolved by `configure`: student tap l with teacher tap l.
    public private(set) var studentTaps: [String] = [], teacherTaps: [String] = []
    /// The memory bank, made by `build` (nil when K = 0).
    public private(set) var bank: GIRDMemoryBank?
    /// The unweighted terms of the last step: L_sim per layer, L_evo per pair.
    public private(set) var lastSimilarityLosses: [Float] = []
    public private(set) var lastEvolutionLosses: [(pair: (Int, Int), value: Float)] = []

    private var pending: (student: [Tensor], teacher: [Tensor])?
    private var processGroup: ProcessGroup = SingleProcessGroup()

    public init(configuration: Configuration = Configuration()) throws {
        try configuration.validate()
        self.configuration = configuration
    }

    // MARK: Set-up

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        let studentTaps = configuration.studentTaps ?? DefaultTaps.stemAndStages(of: student)
        let teacherTaps = configuration.teacherTaps ?? DefaultTaps.stemAndStages(of: teacher)
        guard studentTaps.count == teacherTaps.count else {
            throw DistillationError.invalidConfiguration(
                "gird: the student has \(studentTaps.count) tapped layers (\(studentTaps.joined(separator: ", "))) and the teacher \(teacherTaps.count) (\(teacherTaps.joined(separator: ", "))); name the pairs with studentTaps and teacherTaps")
        }
        try Configuration.checkLayerCount(studentTaps.count, configuration: configuration)
        self.studentTaps = studentTaps
        self.teacherTaps = teacherTaps
        return TapRequest(student: studentTaps, teacher: teacherTaps)
    }

    public func build(_ setup: DistillationSetup) throws {
        let studentWidths = try studentTaps.map { try embeddingWidth(setup.studentShape($0), tap: $0, side: "student") }
        let teacherWidths = try teacherTaps.map { try embeddingWidth(setup.teacherShape($0), tap: $0, side: "teacher") }
        bank = configuration.bankSize > 0
            ? try GIRDMemoryBank(capacity: configuration.bankSize, studentWidths: studentWidths, teacherWidths: teacherWidths)
            : nil
        pending = nil
        processGroup = setup.processGroup
    }

    /// The width d of a layer's embedding, from its per-image shape.
    private func embeddingWidth(_ shape: [Int], tap: String, side: String) throws -> Int {
        switch (shape.count, configuration.pool) {
        case (1, _): return shape[0]
        case (3, .globalAverage): return shape[0]
        case let (3, .adaptiveAverage(size)): return shape[0] * size * size
        case (3, .flatten): return shape.reduce(1, *)
        default:
            throw DistillationError.invalidConfiguration("gird: the \(side) tap '\(tap)' has shape \(shape); expected [C, H, W] or [C]")
        }
    }

    // MARK: The step

    public func loss(_ step: DistillationStep) throws -> Tensor {
        guard !studentTaps.isEmpty else {
            throw DistillationError.invalidConfiguration("gird: loss called before configure and build")
        }
        let student = try studentTaps.map { try embed(try step.student($0)) }
        let teacher = try teacherTaps.map { try embed(try step.teacher($0)) }
        pending = (student.map { $0.detach() }, teacher.map { $0.detach() })
        let layers = student.count
        let pairs = configuration.evolutionIsOn ? configuration.evolutionPairs.pairs(layers: layers) : []
        let terms = try Self.relationTerms(
            student: student, teacher: teacher,
            studentQueues: bank.map { bank in (0..<layers).map { bank.queue(layer: $0, student: true) } },
            teacherQueues: bank.map { bank in (0..<layers).map { bank.queue(layer: $0, student: false) } },
            stored: bank?.count ?? 0, pairs: pairs, configuration: configuration)
        let values = terms.toArray()
        lastSimilarityLosses = Array(values[..<layers])
        lastEvolutionLosses = zip(pairs, values[layers...]).map { ($0, $1) }
        let weights = try Tensor(shape: [terms.count], values: Array(repeating: configuration.similarityWeight, count: layers)
                                 + Array(repeating: configuration.evolutionWeight, count: pairs.count))
        return try (terms * weights).sum()
    }

    /// Enqueues the last step's embeddings.
    public func afterStep() throws {
        guard let embeddings = pending else { return }
        pending = nil
        guard let bank else { return }
        // Data-parallel: every rank enqueues every rank's rows, in rank
        // order, so the banks stay identical (gird-method.md, "Data-parallel training").
        let group = processGroup
        try bank.enqueue(student: try embeddings.student.map { try group.allGatherRows($0) },
                         teacher: try embeddings.teacher.map { try group.allGatherRows($0) })
    }

    public var trainingState: TrainingState? { bank }

    /// The relation part (β · Σ L_sim) and the evolution part (γ · Σ L_evo).
    public var partNames: [String] { ["sim", "evo"] }
    public var lastParts: [Double] {
        let weights = (Double(configuration.similarityWeight), Double(configuration.evolutionWeight))
        return [weights.0 * lastSimilarityLosses.reduce(0) { $0 + Double($1) },
                weights.1 * lastEvolutionLosses.reduce(0) { $0 + Double($1.1) }]
    }

    /// This configuration's instance embedding of one tapped feature.
    public func embed(_ feature: Tensor) throws -> Tensor {
        try Self.embedding(feature, pool: configuration.pool)
    }
}

extension GIRD {
    /// Its entry in `MethodCatalog`, with the recipe names of `gird-method.md`
    /// (`gird(taps:, bank:, tau:, pool:, sim_loss:, evo_loss:, evo_pairs:,
    /// beta:, gamma:)`). The term is the relation part alone, weight 1 (β and
    /// γ weigh its parts inside); CE and KD are their own terms.
    public static let catalogEntry = MethodEntry(
        name: "gird",
        summary: "Hu et al. 2024: global instance relations against a memory bank, and their evolution across layers",
        parameters: [
            .init("taps", .none, "layers tapped in both networks, shallow to deep (none: stem and every stage)"),
            .init("student_taps", .none, "student layers, when the two networks differ (pairs with teacher_taps)"),
            .init("teacher_taps", .none, "teacher layers, paired in order with student_taps"),
            .init("bank", .number(4096), "memory bank size K (0: the mini-batch only)"),
            .init("tau", .number(0.1), "temperature of the KL relation loss"),
            .init("pool", .string("gap"), "\"gap\", \"avg(k)\" or \"flatten\""),
            .init("sim_loss", .string("kl"), "\"kl\" or \"mse\""),
            .init("evo_loss", .string("mse"), "\"mse\" or \"huber\""),
            .init("evo_pairs", .string("consecutive"), "\"consecutive\" or \"all\""),
            .init("beta", .number(1), "weight of the similarity relation"),
            .init("gamma", .number(1), "weight of the relation evolution (0 switches it off)"),
        ],
        publishedWeight: 1) { arguments in
        try GIRD(configuration: Configuration(arguments))
    }
}
