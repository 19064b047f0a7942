import GirdNN
import GirdTensor

/// Chen, Liu, Zhao, Jia, "Distilling Knowledge via Knowledge Review" (CVPR
/// 2021); mdistiller's `ReviewKD` (`mdistiller/distillers/ReviewKD.py`).
///
/// The student's features, deepest first (the pooled embedding as a 1x1
/// map, then the stages), run through a chain of attention based fusions
/// (`AttentionBasedFusion`): each level fuses its own feature with the
/// residual of the level below it, so a shallow output "reviews" deeper
/// knowledge. Each level's output F_l is matched to the teacher's feature
/// T_l of the same level by the hierarchical context loss:
///
///     HCL(F, T) = [ mse(F, T) + sum_{k in 4, 2, 1; k < h} 2^-j(k) mse(pool_k(F), pool_k(T)) ] / (1 + sum 2^-j(k))
///     L = min(epoch / warmup, 1) * sum_l HCL(F_l, T_l)
///
/// with pool_k adaptive average pooling to k x k and j(k) = 1, 2, 3 for the
/// pooling sizes kept (so the weights are 1/2, 1/4, 1/8).
///
/// Taps mirror mdistiller on CIFAR: the student's stage outputs after ReLU
/// (`STU_PREACT = False`) plus `embedding`; the teacher's stages before
/// their final ReLU (`preact_feats[1:]`) plus `embedding`. Channels and
/// sizes (mdistiller's IN_CHANNELS, OUT_CHANNELS, SHAPES, OUT_SHAPES) come
/// from the probe; mid channels = min(512, the student's embedding width).
/// Warm-up 20 epochs; weight 5 in mdistiller's CIFAR-100 config
/// (`configs/cifar100/reviewkd.yaml`; its base default is 1).
/// The fusions' batch norms train with batch statistics, as in training.
public final class ReviewKD: DistillationMethod {
    public let name = "reviewkd"
    /// `REVIEWKD_WEIGHT` of mdistiller's CIFAR-100 config.
    public static let publishedWeight: Float = 5

    public let maxMidChannels: Int
    public let warmupEpochs: Int
    public let studentPreactivated: Bool
    /// Overrides the epoch of the steps (counted from 1 as mdistiller's
    /// trainer does); nil follows `DistillationStep.epoch` + 1.
    public var epoch: Int?
    public private(set) var studentTaps: [String]?
    public private(set) var teacherTaps: [String]?
    /// Deepest level first, as mdistiller's `abfs`.
    public private(set) var fusions: ReviewKDFusions?
    private var outSizes: [(Int, Int)] = []

    /// Taps are shallow to deep and pair up in order; by default each
    /// network's stages and `embedding` (see above).
    public init(studentTaps: [String]? = nil, teacherTaps: [String]? = nil, maxMidChannels: Int = 512,
                warmupEpochs: Int = 20, studentPreactivated: Bool = false) throws {
        guard maxMidChannels > 0 else {
            throw DistillationError.invalidConfiguration("reviewkd: max mid channels must be positive, got \(maxMidChannels)")
        }
        guard warmupEpochs >= 0 else {
            throw DistillationError.invalidConfiguration("reviewkd: warm-up epochs must be zero or more, got \(warmupEpochs)")
        }
        self.studentTaps = studentTaps
        self.teacherTaps = teacherTaps
        self.maxMidChannels = maxMidChannels
        self.warmupEpochs = warmupEpochs
        self.studentPreactivated = studentPreactivated
    }

    /// `min(epoch / warmup, 1)` with epochs counted from 1, mdistiller's
    /// ramp; 1 without a warm-up.
    public func warmupFactor(epoch stepEpoch: Int) -> Float {
        let epoch = self.epoch ?? stepEpoch + 1
        guard warmupEpochs > 0 else { return 1 }
        return min(Float(epoch) / Float(warmupEpochs), 1)
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        let studentStages = DefaultTaps.stages(of: student)
        let studentTaps = self.studentTaps
            ?? (studentPreactivated ? DefaultTaps.preactivated(studentStages, of: student) : studentStages) + ["embedding"]
        let teacherTaps = self.teacherTaps ?? DefaultTaps.preactivated(DefaultTaps.stages(of: teacher), of: teacher) + ["embedding"]
        try Self.checkPairing(studentTaps, teacherTaps)
        self.studentTaps = studentTaps
        self.teacherTaps = teacherTaps
        return TapRequest(student: studentTaps, teacher: teacherTaps)
    }

    public func build(_ setup: DistillationSetup) throws {
        guard let studentTaps, let teacherTaps else { throw DistillationError.invalidConfiguration("reviewkd: build before configure") }
        try Self.checkPairing(studentTaps, teacherTaps)
        func mapShape(_ shape: [Int], _ tap: String, _ side: String) throws -> [Int] {
            switch shape.count {
            case 1: return [shape[0], 1, 1]
            case 3: return shape
            default:
                throw DistillationError.invalidConfiguration(
                    "reviewkd: the \(side) tap '\(tap)' must be a feature map [C, H, W] or a vector [C], got \(shape)")
            }
        }
        let studentShapes = try studentTaps.map { try mapShape(setup.studentShape($0), $0, "student") }
        let teacherShapes = try teacherTaps.map { try mapShape(setup.teacherShape($0), $0, "teacher") }
        let midChannels = min(maxMidChannels, studentShapes.last![0])
        // Deepest first; the deepest level has nothing below it to fuse.
        let levels = try (0..<studentShapes.count).reversed().map { index in
            try AttentionBasedFusion(inChannels: studentShapes[index][0], midChannels: midChannels,
                                     outChannels: teacherShapes[index][0], fuse: index < studentShapes.count - 1,
                                     generator: setup.generator)
        }
        fusions = ReviewKDFusions(levels)
        outSizes = teacherShapes.reversed().map { ($0[1], $0[2]) }
    }

    static func checkPairing(_ studentTaps: [String], _ teacherTaps: [String]) throws {
        guard !studentTaps.isEmpty, studentTaps.count == teacherTaps.count else {
            throw DistillationError.invalidConfiguration(
                "reviewkd: needs as many student taps as teacher taps (at least one), got \(studentTaps) and \(teacherTaps)")
        }
    }

    public var trainableModules: [(name: String, module: Module)] {
        fusions.map { [("abfs", $0)] } ?? []
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        guard let studentTaps, let teacherTaps, let fusions else {
            throw DistillationError.invalidConfiguration("reviewkd: loss before build")
        }
        let value = try Self.loss(student: try studentTaps.map { try step.student($0) },
                                  teacher: try teacherTaps.map { try step.teacher($0) }, fusions: fusions, outSizes: outSizes)
        let factor = warmupFactor(epoch: step.epoch)
        return factor == 1 ? value : try value * factor
    }

    /// The review path and HCL without the warm-up; features shallow to deep,
    /// `fusions` and `outSizes` deepest first.
    static func loss(student: [Tensor], teacher: [Tensor], fusions: ReviewKDFusions, outSizes: [(Int, Int)]) throws -> Tensor {
        func asMap(_ x: Tensor) throws -> Tensor { x.rank == 2 ? try x.reshaped(x.shape + [1, 1]) : x }
        let deepestFirst = try student.reversed().map(asMap)
        var results: [Tensor] = []
        var residual: Tensor?
        for (index, level) in fusions.levels.enumerated() {
            let (output, next) = try level(deepestFirst[index], residual: residual, outSize: outSizes[index])
            results.insert(output, at: 0)
            residual = next
        }
        var total: Tensor?
        for (output, target) in zip(results, try teacher.map(asMap)) {
            let term = try hierarchicalContextLoss(output, target)
            total = try total.map { try $0 + term } ?? term
        }
        return total!
    }

    /// mdistiller's `hcl_loss` for one level.
    public static func hierarchicalContextLoss(_ student: Tensor, _ teacher: Tensor) throws -> Tensor {
        var loss = try Tensor.mseLoss(student, teacher)
        var weight: Float = 1, totalWeight: Float = 1
        for size in [4, 2, 1] where size < student.shape[2] {
            weight /= 2
            loss = try loss + Tensor.mseLoss(try student.adaptiveAvgPool2d(outputSize: size),
                                             try teacher.adaptiveAvgPool2d(outputSize: size)) * weight
            totalWeight += weight
        }
        return try loss / totalWeight
    }
}

extension ReviewKD {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "reviewkd", summary: "Chen et al. 2021: knowledge review (attention-based fusion, HCL)",
        parameters: [.studentTaps, .teacherTaps,
                     .init("max_mid_channels", .number(512), "width of the fusion modules", .positiveSize),
                     .init("warmup", .number(20), "warm-up epochs", .size)],
        publishedWeight: publishedWeight) { arguments in
        try ReviewKD(studentTaps: arguments.taps("student_taps"), teacherTaps: arguments.taps("teacher_taps"),
                     maxMidChannels: arguments.integer("max_mid_channels"), warmupEpochs: arguments.integer("warmup"))
    }
}
