import GirdDistill
import GirdNN
import GirdTensor
import GirdView

/// Looking at tensors: `show` (a summary line, and a heatmap on a terminal),
/// `heatmap` (the same map as a PNG) and `relations` (GIRD's relation
/// matrices of a teacher and a student, side by side). How to draw comes
/// from the interpreter's options, which the front end fills in: the
/// builtins never look at the terminal or the environment themselves.
extension BuiltinRegistry {
    static var viewBuiltins: [Builtin] {
        [
            Builtin("show", "t, channel: 0, sample: 0",
                    doc: "prints a tensor's summary (shape, dtype, min/mean/max, NaN count); on a terminal also a heatmap of a matrix, or of one channel of a feature map (of sample `sample` of an [N, C, H, W] batch)") { arguments in
                let t = try arguments.tensor("t"), channel = try arguments.int("channel"), sample = try arguments.int("sample")
                try checkChannel(channel, of: t, builtin: "show")
                let samples = t.rank == 4 ? t.shape[0] : 1
                guard sample >= 0, sample < samples else {
                    throw BuiltinFailure("show(): sample \(sample) is outside the \(samples) sample(s) of a tensor of shape \(formatShape(t.shape))")
                }
                let options = arguments.context.options
                let columns = min(64, max(8, options.displayColumns - 12))
                arguments.context.write(try TensorView.show(t, mode: options.heatmapMode, channel: channel, sample: sample, maxColumns: columns) + "\n")
                return .none
            },
            Builtin("heatmap", "t, path, channel: 0, scale: 1",
                    doc: "writes a matrix (or one channel of a feature map) as an RGB PNG heatmap, viridis, each cell scale x scale pixels") { arguments in
                let t = try arguments.tensor("t"), channel = try arguments.int("channel"), scale = try arguments.int("scale")
                try checkChannel(channel, of: t, builtin: "heatmap")
                try checkImageSize(of: t, scale: scale)
                try HeatmapPNG.write(t, to: try arguments.writablePath("path"), scale: scale, channel: channel)
                return .none
            },
            Builtin("relations", "teacher, student, data, *, tap: \"stage3\", batch: 16, bank: none, pool: \"gap\"",
                    doc: "GIRD's relation matrices of teacher and student on the first batch of data (eval mode, no gradient), drawn side by side with their difference; returns {teacher, student}", computes: true) { arguments in
                try relations(arguments)
            },
        ]
    }

    /// A channel outside the map is an error even on a pipe, where no
    /// heatmap is drawn, so that a recipe behaves the same everywhere.
    private static func checkChannel(_ channel: Int, of t: Tensor, builtin: String) throws {
        let channels = t.rank == 4 ? t.shape[1] : t.rank == 3 ? t.shape[0] : 1
        guard channel >= 0, channel < channels else {
            throw BuiltinFailure("\(builtin)(): channel \(channel) is outside the \(channels) channel(s) of a tensor of shape \(formatShape(t.shape))")
        }
    }

    /// The PNG is held in memory before it is written: its sides and bytes
    /// are bounded before anything is drawn.
    private static func checkImageSize(of t: Tensor, scale: Int) throws {
        guard scale >= 1, scale <= 64 else {
            throw BuiltinFailure("heatmap(): scale must be in 1...64, got \(scale) (each value is drawn as scale x scale pixels)")
        }
        let plane = t.rank >= 2 ? Array(t.shape.suffix(2)) : [1, t.shape.first ?? 1]
        let (height, width) = (plane[0] * scale, plane[1] * scale)
        guard height <= maximumImageSide, width <= maximumImageSide else {
            throw BuiltinFailure("heatmap(): a \(width) x \(height) pixel image is too large: each side must be at most \(maximumImageSide) pixels (the most PNG readers accept)")
        }
        try MemoryLimit.check([height, width, 3], bytesPerElement: 1, what: "heatmap(): a \(width) x \(height) pixel image")
    }

    /// libpng's default limit on a side: larger images are refused by most readers.
    static let maximumImageSide = 1_000_000

    private static func relations(_ arguments: BuiltinArguments) throws -> Value {
        let teacher = try arguments.model("teacher"), student = try arguments.model("student"), data = try arguments.dataset("data")
        let tap = try arguments.string("tap"), batch = try arguments.int("batch")
        let pool = try GIRD.Pooling(try arguments.string("pool").lowercased())
        guard batch >= 1, batch <= data.count else {
            throw BuiltinFailure("relations(): batch must be between 1 and the \(data.count) images of the dataset, got \(batch)")
        }
        let banks = try relationBanks(arguments["bank"])
        let images = try data.batch(indices: Array(0..<batch), normalized: true).images
        let (teacherRelation, studentRelation) = try arguments.context.interruptible(at: arguments.span) {
            (try relation(teacher, images, tap: tap, pool: pool, bank: banks.teacher),
             try relation(student, images, tap: tap, pool: pool, bank: banks.student))
        }
        let options = arguments.context.options
        if let mode = options.heatmapMode {
            let perPanel = max(8, (options.displayColumns - 2 * SideBySide.gap) / 3)
            let view = try RelationView.render(teacher: teacherRelation, student: studentRelation,
                                               options: Heatmap.Options(mode: mode, maxColumns: perPanel, legendWidth: min(16, perPanel - 8)))
            arguments.context.write("relations at '\(tap)' on \(batch) images, \(formatShape(teacherRelation.shape)):\n" + view.text + "\n")
        } else {
            arguments.context.write("teacher: \(TensorSummary.line(teacherRelation))\nstudent: \(TensorSummary.line(studentRelation))\n")
        }
        return .record(Record([("teacher", .tensor(teacherRelation)), ("student", .tensor(studentRelation))]))
    }

    /// `bank: none` (relations within the batch, B x B) or
    /// `{teacher: Q_T, student: Q_S}`, each n x d of its network's embeddings.
    private static func relationBanks(_ value: Value) throws -> (teacher: Tensor?, student: Tensor?) {
        switch value {
        case .none:
            return (nil, nil)
        case .record(let record):
            guard case .tensor(let teacher)? = record["teacher"], case .tensor(let student)? = record["student"] else {
                throw BuiltinFailure("relations(): bank must be none or {teacher: tensor, student: tensor}")
            }
            return (teacher, student)
        default:
            throw BuiltinFailure("relations(): bank must be none or {teacher: tensor, student: tensor}, got \(value.typeName)")
        }
    }

    /// R = e · [e; Q]ᵀ of one network's tap, in eval mode without gradient.
    private static func relation(_ network: Network, _ images: Tensor, tap: String, pool: GIRD.Pooling, bank: Tensor?) throws -> Tensor {
        try evalForward(network) {
            let output = try network.forward(images, taps: [tap])
            guard let feature = output.features[tap] ?? (tap == "logits" ? output.logits : nil) else {
                throw BuiltinFailure("relations(): \(network.name) gave no output at tap '\(tap)'")
            }
            let embedding = try GIRD.embedding(feature, pool: pool)
            let queue = bank ?? Tensor.zeros([0, embedding.shape[1]])
            return try GIRD.relation(batch: embedding, bank: queue)
        }
    }
}
