import GirdNN
import GirdTensor

/// Liu, Cao, Li, Yuan, Hu, Li, Duan, "Knowledge Distillation via Instance
/// Relationship Graph" (CVPR 2019). RepDistiller does not ship IRG and the
/// authors' code is Caffe; this is the PyTorch formulation of AberHu's
/// Knowledge-Distillation-Zoo (`kd_losses/irg.py`, with its
/// `train_kd.py --kd_mode irg` taps and weights), which renders the paper's
/// three terms for two feature maps m1, m2 (m1 shallower), the embedding e
/// and the logits z:
///
///     vertex:          L_V = mse(z_s, z_t)
///     edge:            E(x)_ij = ||x_i - x_j||^2 (x flattened), E_ii = 0, E /= max(E)
///                      L_E = mean over x in (e, m1, m2) of mse(E(x_s), E(x_t))
///     transformation:  m1 average-pooled to m2's size if larger; m2's channel
///                      pairs averaged ((m2[:, 0::2] + m2[:, 1::2]) / 2) if m1 has fewer
///                      T_i = max(||m1_i - m2_i||^2, 1e-12), T /= max(T)
///                      L_T = mse(T_s, T_t)
///     L = w_V L_V + w_E L_E + w_T L_T,  w = (0.1, 5, 5)
///
/// i.e. the paper's IRG loss (vertices = logits, edges = the instances'
/// pairwise distances at several layers, and the vertex transformation
/// between two layers), with its distances squared and max-normalised.
/// Taps, as AberHu's ResNets: the last two stages (`rb2`, `rb3`), the
/// embedding and the logits. The whole term has weight 1 (`--lambda_kd 1`).
///
/// Where the reference divides by a maximum of 0 (a batch of one image has no
/// edge), the edge terms are 0 here instead of NaN.
public final class InstanceRelationGraph: DistillationMethod {
    public let name = "irg"
    /// AberHu's `--lambda_kd 1.0`; the three terms carry their own weights.
    public static let publishedWeight: Float = 1

    public let vertexWeight: Float
    public let edgeWeight: Float
    public let transformationWeight: Float
    /// The two feature maps, shallower first, of each network.
    public private(set) var studentMaps: [String]?
    public private(set) var teacherMaps: [String]?

    static let epsilon: Float = 1e-12

    public init(vertexWeight: Float = 0.1, edgeWeight: Float = 5, transformationWeight: Float = 5,
                studentMaps: [String]? = nil, teacherMaps: [String]? = nil) throws {
        try DistillationError.requireNonNegative(vertexWeight, "vertex weight", method: "irg")
        try DistillationError.requireNonNegative(edgeWeight, "edge weight", method: "irg")
        try DistillationError.requireNonNegative(transformationWeight, "transformation weight", method: "irg")
        for maps in [studentMaps, teacherMaps] {
            if let maps, maps.count != 2 {
                throw DistillationError.invalidConfiguration("irg: needs exactly two feature maps per network, got \(maps)")
            }
        }
        self.vertexWeight = vertexWeight
        self.edgeWeight = edgeWeight
        self.transformationWeight = transformationWeight
        self.studentMaps = studentMaps
        self.teacherMaps = teacherMaps
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        func lastTwo(_ network: Network) throws -> [String] {
            let stages = DefaultTaps.stages(of: network)
            guard stages.count >= 2 else {
                throw DistillationError.invalidConfiguration("irg: \(network.name) has fewer than two stages: \(stages)")
            }
            return Array(stages.suffix(2))
        }
        let studentMaps = try self.studentMaps ?? lastTwo(student), teacherMaps = try self.teacherMaps ?? lastTwo(teacher)
        self.studentMaps = studentMaps
        self.teacherMaps = teacherMaps
        return TapRequest(student: studentMaps + ["embedding"], teacher: teacherMaps + ["embedding"])
    }

    public func build(_ setup: DistillationSetup) throws {
        guard let studentMaps, let teacherMaps else { throw DistillationError.invalidConfiguration("irg: build before configure") }
        guard setup.studentShapes["logits"] == setup.teacherShapes["logits"] else {
            throw DistillationError.invalidConfiguration(
                "irg: the student has \(setup.studentShape("logits")) logits and the teacher \(setup.teacherShape("logits")); they must match")
        }
        try Self.checkTransformation(setup.studentShape(studentMaps[0]), setup.studentShape(studentMaps[1]), side: "student")
        try Self.checkTransformation(setup.teacherShape(teacherMaps[0]), setup.teacherShape(teacherMaps[1]), side: "teacher")
    }

    /// The transformation compares the two maps instance by instance, so
    /// after pooling and channel pairing they must have one shape.
    static func checkTransformation(_ first: [Int], _ second: [Int], side: String) throws {
        guard first.count == 3, second.count == 3 else {
            throw DistillationError.invalidConfiguration("irg: the \(side)'s maps must be [C, H, W], got \(first) and \(second)")
        }
        let pairedChannels = first[0] < second[0] ? second[0] / 2 : second[0]
        let pooledSize = first[1] > second[1] ? [second[1], second[2]] : [first[1], first[2]]
        guard first[0] >= second[0] || second[0] % 2 == 0, [first[0]] + pooledSize == [pairedChannels, second[1], second[2]] else {
            throw DistillationError.invalidConfiguration(
                "irg: the \(side)'s maps \(first) and \(second) cannot be compared (the deeper one needs the same or twice the channels and no larger size)")
        }
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        guard let studentMaps, let teacherMaps else { throw DistillationError.invalidConfiguration("irg: loss before configure") }
        return try Self.loss(
            student: (try step.student(studentMaps[0]), try step.student(studentMaps[1]), try step.student("embedding"), step.student.logits),
            teacher: (try step.teacher(teacherMaps[0]), try step.teacher(teacherMaps[1]), try step.teacher("embedding"), step.teacher.logits),
            weights: (vertexWeight, edgeWeight, transformationWeight))
    }

    public typealias Graph = (first: Tensor, second: Tensor, embedding: Tensor, logits: Tensor)

    public static func loss(student: Graph, teacher: Graph, weights: (vertex: Float, edge: Float, transformation: Float)) throws -> Tensor {
        let vertex = try Tensor.mseLoss(student.logits, teacher.logits)
        var edge = try Tensor.mseLoss(try edges(student.embedding), try edges(teacher.embedding))
        edge = try edge + Tensor.mseLoss(try edges(student.first), try edges(teacher.first))
        edge = try edge + Tensor.mseLoss(try edges(student.second), try edges(teacher.second))
        let transformation = try Tensor.mseLoss(try self.transformation(student.first, student.second),
                                                try self.transformation(teacher.first, teacher.second))
        return try vertex * weights.vertex + edge * (weights.edge / 3) + transformation * weights.transformation
    }

    /// The max-normalised squared distances between the batch's instances.
    static func edges(_ features: Tensor) throws -> Tensor {
        let flat = features.rank == 2 ? features : try features.flattened(from: 1)
        let batch = flat.shape[0]
        // Exact differences: the diagonal is exactly 0, as the reference sets it.
        let distances = try Tensor.pairwiseDistances(flat, flat, squared: true)
        let offDiagonal = try Tensor(shape: [batch, batch], values: (0..<batch * batch).map { $0 / batch == $0 % batch ? 0 : 1 })
        let clamped = try distances.clamp(min: epsilon) * offDiagonal
        guard batch >= 2 else { return clamped }
        return try clamped / clamped.max()
    }

    /// The max-normalised squared distance from each instance's first map to its second.
    static func transformation(_ first: Tensor, _ second: Tensor) throws -> Tensor {
        var first = first, second = second
        if first.shape[2] > second.shape[2] {
            first = try first.adaptiveAvgPool2d(outputSize: (second.shape[2], second.shape[3]))
        }
        if first.shape[1] < second.shape[1] {
            second = try (second.sliced(axis: 1, start: 0, step: 2) + second.sliced(axis: 1, start: 1, step: 2)) / 2
        }
        let distances = try (first.flattened(from: 1) - second.flattened(from: 1)).square().sum(axes: [1]).clamp(min: epsilon)
        return try distances / distances.max()
    }
}

extension InstanceRelationGraph {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "irg", summary: "Liu et al. 2019: instance relation graph (vertex, edge, transformation)",
        parameters: [.init("w_vertex", .number(0.1), "vertex weight"), .init("w_edge", .number(5), "edge weight"),
                     .init("w_transform", .number(5), "transformation weight"),
                     .studentTaps, .teacherTaps],
        publishedWeight: publishedWeight) { arguments in
        try InstanceRelationGraph(vertexWeight: arguments.float("w_vertex"), edgeWeight: arguments.float("w_edge"),
                                  transformationWeight: arguments.float("w_transform"),
                                  studentMaps: arguments.taps("student_taps"), teacherMaps: arguments.taps("teacher_taps"))
    }
}
