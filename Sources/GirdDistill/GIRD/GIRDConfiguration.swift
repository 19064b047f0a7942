import GirdTensor

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

        public init(studentTaps: [String]? = nil, teacherTaps: [String]? = nil, pool: Pooling = .globalAverage,
                    bankSize: Int = 4096, temperature: Float = 0.1, similarityLoss: SimilarityLoss = .kl,
                    evolutionPairs: EvolutionPairs = .consecutive, evolutionLoss: EvolutionLoss = .mse,
                    similarityWeight: Float = 1, evolutionWeight: Float = 1) {
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
        }

        /// The configuration the catalog's arguments (`gird(bank: 4096, pool:
        /// "avg(2)", ...)`) describe: the one place GIRD's options are read.
        public init(_ arguments: MethodArguments) throws {
            let shared = try arguments.taps("taps")
            let student = try arguments.taps("student_taps"), teacher = try arguments.taps("teacher_taps")
            if shared != nil && (student != nil || teacher != nil) {
                throw DistillationError.invalidConfiguration("gird: give taps, or student_taps and teacher_taps, not both")
            }
            self.init(studentTaps: shared ?? student, teacherTaps: shared ?? teacher)
            bankSize = try arguments.integer("bank")
            temperature = try arguments.float("tau")
            pool = try Pooling(try arguments.string("pool"))
            similarityLoss = try arguments.choice("sim_loss", as: SimilarityLoss.self)
            evolutionLoss = try arguments.choice("evo_loss", as: EvolutionLoss.self)
            evolutionPairs = try arguments.choice("evo_pairs", as: EvolutionPairs.self)
            similarityWeight = try arguments.float("beta")
            evolutionWeight = try arguments.float("gamma")
        }

        /// Whether relation evolution contributes (γ > 0): it needs two layers.
        public var evolutionIsOn: Bool { evolutionWeight > 0 }

        /// Throws when no run could use this configuration; `GIRD.init` calls it.
        public func validate() throws {
            try DistillationError.requirePositive(temperature, "temperature tau", method: "gird")
            for (value, label) in [(similarityWeight, "beta"), (evolutionWeight, "gamma")] {
                try DistillationError.requireNonNegative(value, label, method: "gird")
            }
            guard bankSize >= 0 else {
                throw DistillationError.invalidConfiguration("gird: the bank size K must be zero or more, got \(bankSize)")
            }
            // The relation product B x (B + K) goes to OpenBLAS, whose sizes are 32-bit ints.
            guard bankSize <= Int(Int32.max) else {
                throw DistillationError.invalidConfiguration(
                    "gird: the bank size K must be at most \(Int32.max) (matrix sizes are 32-bit ints in OpenBLAS), got \(bankSize)")
            }
            // A lower bound of its memory (one float per image and network), so
            // that an absurd K is refused where it is written; `GIRDMemoryBank`
            // checks the exact size once the layers' widths are known.
            try MemoryLimit.check([bankSize, 2], what: "gird: a memory bank of K = \(bankSize) images")
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

        /// Reads its written form (`description`): `gap`, `avg(k)`, `flatten`,
        /// as `run.json` stores it and the catalog's `pool:` argument gives it.
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

    public enum SimilarityLoss: String, Sendable, CaseIterable {
        /// Row-wise KL between temperature softmaxes, batch-mean, no τ² factor.
        case kl
        /// Mean squared difference of the similarities.
        case mse
    }

    public enum EvolutionPairs: String, Sendable, CaseIterable {
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

    public enum EvolutionLoss: String, Sendable, CaseIterable {
        case mse
        /// 0.5 x² where |x| ≤ 1, |x| − 0.5 elsewhere.
        case huber
    }
}
