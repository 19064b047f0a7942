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
/// the distiller's other terms; `GIRD.terms(_:)` builds all three.
/// After the optimizer's step, the batch's detached embeddings enter the bank
/// (`afterStep`), so a batch never meets itself in the bank.
public final class GIRD: DistillationMethod {
    public let name = "gird"
    public let configuration: Configuration
    /// The layer pairs, resolved by `configure`: student tap l with teacher tap l.
    public private(set) var studentTaps: [String] = [], teacherTaps: [String] = []
    /// The memory bank, made by `build` (nil when K = 0).
    public private(set) var bank: GIRDMemoryBank?
    /// Data-parallel training: maps this worker's batch embeddings (B x d) to
    /// every worker's, concatenated in worker order (an all-gather), so that
    /// all workers enqueue the same rows and hold identical banks. Nil (one
    /// process) enqueues the batch as it is.
    public var gatherAcrossWorkers: ((Tensor) throws -> Tensor)?
    /// The unweighted terms of the last step: L_sim per layer, L_evo per pair.
    public private(set) var lastSimilarityLosses: [Float] = []
    public private(set) var lastEvolutionLosses: [(pair: (Int, Int), value: Float)] = []

    private var pending: (student: [Tensor], teacher: [Tensor])?

    public init(configuration: Configuration = Configuration()) throws {
        try configuration.validate()
        self.configuration = configuration
    }

    /// CE, KD and GIRD with the configuration's weights: the spec's total loss
    /// `w_ce CE + w_kd T² KL + β Σ L_sim + γ Σ L_evo`.
    public static func terms(_ configuration: Configuration = Configuration()) throws -> [DistillationTerm] {
        [DistillationTerm(try CrossEntropyTerm(), weight: configuration.crossEntropyWeight),
         DistillationTerm(try KnowledgeDistillation(temperature: configuration.kdTemperature), weight: configuration.kdWeight),
         DistillationTerm(try GIRD(configuration: configuration))]
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

    /// Enqueues the last step's embeddings (all workers' with `gatherAcrossWorkers`).
    public func afterStep() throws {
        guard let embeddings = pending else { return }
        pending = nil
        guard let bank else { return }
        let gather = gatherAcrossWorkers ?? { $0 }
        try bank.enqueue(student: try embeddings.student.map(gather), teacher: try embeddings.teacher.map(gather))
    }

    public var trainingState: TrainingState? { bank }

    /// This configuration's instance embedding of one tapped feature.
    public func embed(_ feature: Tensor) throws -> Tensor {
        try Self.embedding(feature, pool: configuration.pool)
    }
}

extension GIRD {
    /// Every choice the paper's abstract leaves open, with this project's defaults.
    public struct Configuration: Equatable, Sendable {
        /// Layer pairs by tap name, shallow to deep; nil picks the stem and every stage.
        public var studentTaps: [String]?
        public var teacherTaps: [String]?
        public var pool: Pooling = .globalAverage
        /// K, the images the bank holds; 0 relates the mini-batch only.
        public var bankSize = 4096
        /// τ of the similarity softmax.
        public var temperature: Float = 0.1
        public var similarityLoss: SimilarityLoss = .kl
        public var evolutionPairs: EvolutionPairs = .consecutive
        public var evolutionLoss: EvolutionLoss = .mse
        /// β and γ.
        public var similarityWeight: Float = 1
        public var evolutionWeight: Float = 1
        /// w_ce, w_kd and KD's T, for `GIRD.terms(_:)`.
        public var crossEntropyWeight: Float = 1
        public var kdWeight: Float = 1
        public var kdTemperature: Float = 4

        public init(studentTaps: [String]? = nil, teacherTaps: [String]? = nil, pool: Pooling = .globalAverage,
                    bankSize: Int = 4096, temperature: Float = 0.1, similarityLoss: SimilarityLoss = .kl,
                    evolutionPairs: EvolutionPairs = .consecutive, evolutionLoss: EvolutionLoss = .mse,
                    similarityWeight: Float = 1, evolutionWeight: Float = 1,
                    crossEntropyWeight: Float = 1, kdWeight: Float = 1, kdTemperature: Float = 4) {
            self.studentTaps = studentTaps
            self.teacherTaps = teacherTaps
            self.pool = pool
            self.bankSize = bankSize
            self.temperature = temperature
            self.similarityLoss = similarityLoss
            self.evolutionPairs = evolutionPairs
            self.evolutionLoss = evolutionLoss
            self.similarityWeight = similarityWeight
            self.evolutionWeight = evolutionWeight
            self.crossEntropyWeight = crossEntropyWeight
            self.kdWeight = kdWeight
            self.kdTemperature = kdTemperature
        }

        /// Whether relation evolution contributes (γ > 0): it needs two layers.
        public var evolutionIsOn: Bool { evolutionWeight > 0 }

        func validate() throws {
            try DistillationError.requirePositive(temperature, "temperature tau", method: "gird")
            try DistillationError.requirePositive(kdTemperature, "KD temperature T", method: "gird")
            for (value, label) in [(similarityWeight, "beta"), (evolutionWeight, "gamma"),
                                   (crossEntropyWeight, "w_ce"), (kdWeight, "w_kd")] {
                try DistillationError.requireNonNegative(value, label, method: "gird")
            }
            guard bankSize >= 0 else {
                throw DistillationError.invalidConfiguration("gird: the bank size K must be zero or more, got \(bankSize)")
            }
            if case let .adaptiveAverage(size) = pool, size < 1 {
                throw DistillationError.invalidConfiguration("gird: pool avg(k) needs k >= 1, got \(size)")
            }
            if let studentTaps, let teacherTaps, studentTaps.count != teacherTaps.count {
                throw DistillationError.invalidConfiguration(
                    "gird: \(studentTaps.count) student taps and \(teacherTaps.count) teacher taps; they pair up one to one")
            }
            if let taps = studentTaps ?? teacherTaps { try Self.checkLayerCount(taps.count, configuration: self) }
        }

        static func checkLayerCount(_ count: Int, configuration: Configuration) throws {
            guard count >= 1 else { throw DistillationError.invalidConfiguration("gird: at least one layer must be tapped") }
            if configuration.evolutionIsOn && count < 2 {
                throw DistillationError.invalidConfiguration(
                    "gird: relation evolution (gamma > 0) needs at least 2 tapped layers, got \(count); set gamma to 0 or tap more layers")
            }
        }
    }

    /// How a feature map becomes one vector per image.
    public enum Pooling: Equatable, Sendable, CustomStringConvertible {
        /// "gap": the mean over H x W, B x C.
        case globalAverage
        /// "avg(k)": PyTorch's adaptive average pool to k x k, flattened channel-major, B x C·k·k.
        case adaptiveAverage(Int)
        /// "flatten": the whole map, B x C·H·W.
        case flatten

        /// Reads the recipe spelling: `gap`, `avg(k)`, `flatten`.
        public init(_ text: String) throws {
            let trimmed = text.filter { $0 != " " }
            if trimmed == "gap" { self = .globalAverage; return }
            if trimmed == "flatten" { self = .flatten; return }
            if trimmed.hasPrefix("avg("), trimmed.hasSuffix(")"), let size = Int(trimmed.dropFirst(4).dropLast()), size >= 1 {
                self = .adaptiveAverage(size)
                return
            }
            throw DistillationError.invalidConfiguration("gird: unknown pool '\(text)'; expected \"gap\", \"avg(k)\" or \"flatten\"")
        }

        public var description: String {
            switch self {
            case .globalAverage: return "gap"
            case let .adaptiveAverage(size): return "avg(\(size))"
            case .flatten: return "flatten"
            }
        }
    }

    public enum SimilarityLoss: String, Sendable, CaseIterable, RecipeChoice {
        /// Row-wise KL between temperature softmaxes, batch-mean, no τ² factor.
        case kl
        /// Mean squared difference of the similarities.
        case mse
    }

    public enum EvolutionPairs: String, Sendable, CaseIterable, RecipeChoice {
        /// (l, l+1).
        case consecutive
        /// Every (l, m) with l < m.
        case all

        public func pairs(layers: Int) -> [(Int, Int)] {
            guard layers >= 2 else { return [] }
            switch self {
            case .consecutive: return (0..<(layers - 1)).map { ($0, $0 + 1) }
            case .all: return (0..<layers).flatMap { l in ((l + 1)..<layers).map { (l, $0) } }
            }
        }
    }

    public enum EvolutionLoss: String, Sendable, CaseIterable, RecipeChoice {
        case mse
        /// 0.5 x² where |x| ≤ 1, |x| − 0.5 elsewhere.
        case huber
    }
}

/// A setting spelt in recipes as one of a few words.
public protocol RecipeChoice: RawRepresentable, CaseIterable where RawValue == String {}

extension RecipeChoice {
    /// Reads the recipe spelling; `setting` names the option in the error,
    /// which lists the valid choices.
    public init(parsing text: String, setting: String) throws {
        guard let value = Self(rawValue: text) else {
            let choices = Self.allCases.map { "\"\($0.rawValue)\"" }
            throw DistillationError.invalidConfiguration(
                "gird: unknown \(setting) '\(text)'; expected \(choices.dropLast().joined(separator: ", ")) or \(choices.last!)")
        }
        self = value
    }
}
