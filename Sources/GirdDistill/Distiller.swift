import GirdData
import GirdNN
import GirdTensor
import GirdTrain

/// One weighted term of a distillation loss.
public struct DistillationTerm {
    public var weight: Float
    public var method: DistillationMethod

    public init(_ method: DistillationMethod, weight: Float = 1) {
        self.weight = weight
        self.method = method
    }
}

/// A distillation step as a `TrainingObjective`: the frozen teacher (eval
/// mode, no gradient) and the student run once each with the union of the
/// taps the terms need, and the loss is `sum_k weight_k * term_k`, e.g.
/// CE + KD + GIRD. Without a teacher, every term must be a
/// `SupervisedMethod` (CE with a triplet loss, the re-ID baseline).
///
///     let distiller = try Distiller(teacher: teacher, terms: [
///         DistillationTerm(CrossEntropyTerm()), DistillationTerm(KnowledgeDistillation(temperature: 4), weight: 0.9),
///         DistillationTerm(try GIRD(configuration: .init()), weight: 1)])
///     let run = try Trainer(configuration: configuration, objective: distiller).train(model: student, ...)
public final class Distiller: TrainingObjective {
    /// nil: terms that read only the student and the labels.
    public let teacher: Network?
    public let terms: [DistillationTerm]
    /// Seeds the weights of the methods' own modules.
    public let seed: UInt64
    /// The ranks of a data-parallel run; the trainer sets it (`join`).
    public private(set) var processGroup: ProcessGroup = SingleProcessGroup()
    /// Each term's unweighted value at the last step, in term order.
    public private(set) var lastValues: [(name: String, value: Float)] = []
    /// Each term's method name, a repeated one numbered from its second
    /// use (`kd`, `kd_2`), and a method with parts named by part
    /// (`gird_sim`, `gird_evo`): the names of the logged columns.
    public let lossTermNames: [String]
    public private(set) var lastLossTerms: [Double] = []
    public private(set) var lastLogits: Tensor?
    private var taps: [TapRequest] = []
    private var studentTaps: [String] = [], teacherTaps: [String] = []
    private weak var preparedStudent: Network?

    public init(teacher: Network?, terms: [DistillationTerm], seed: UInt64 = 0) throws {
        guard !terms.isEmpty else { throw DistillationError.invalidConfiguration("a distillation needs at least one loss term") }
        if teacher == nil, let term = terms.first(where: { !($0.method is SupervisedMethod) }) {
            throw DistillationError.invalidConfiguration(
                "\(term.method.name) reads a teacher; without one only the student's own terms apply (ce, triplet)")
        }
        for term in terms { try DistillationError.requireNonNegative(term.weight, "weight", method: term.method.name) }
        self.teacher = teacher
        self.terms = terms
        self.seed = seed
        var uses: [String: Int] = [:]
        lossTermNames = terms.flatMap { term -> [String] in
            let method = term.method.name
            uses[method, default: 0] += 1
            let name = uses[method]! == 1 ? method : "\(method)_\(uses[method]!)"
            let parts = term.method.partNames
            return parts.isEmpty ? [name] : parts.map { "\(name)_\($0)" }
        }
    }

    /// Configures every term against `student` and the teacher and builds
    /// their modules from one probe pass of `imageShape` images. Done once
    /// per student; the trainer calls it through `prepare(model:trainSet:)`.
    public func prepare(student: Network, imageShape: [Int], trainingSetSize: Int) throws {
        if preparedStudent === student { return }
        let teacher = self.teacher ?? student
        taps = try terms.map { try $0.method.configure(student: student, teacher: teacher) }
        for request in taps {
            try DefaultTaps.check(request.student, in: student)
            try DefaultTaps.check(request.teacher, in: teacher)
        }
        studentTaps = Self.union(taps.map(\.student))
        teacherTaps = Self.union(taps.map(\.teacher))

        let probe = Tensor.zeros([DistillationSetup.probeBatch] + imageShape)
        let wasTraining = student.isTraining
        student.eval()
        defer { if wasTraining { student.train() } }
        teacher.eval()
        let (studentOutput, teacherOutput) = try GradMode.withoutGradient {
            (try student.forward(probe, taps: studentTaps), try teacher.forward(probe, taps: teacherTaps))
        }
        func shapes(_ output: NetworkOutput) -> [String: [Int]] {
            output.features.mapValues(\.shape).merging(["logits": output.logits.shape]) { $1 }
        }
        let generator = RandomGenerator(seed: seed)
        for term in terms {
            try term.method.build(DistillationSetup(
                studentShapes: shapes(studentOutput), teacherShapes: shapes(teacherOutput), classes: student.classes,
                trainingSetSize: trainingSetSize, generator: generator, processGroup: processGroup))
        }
        preparedStudent = student
    }

    /// The layers each term reads of `student` and the teacher, in term
    /// order (what `prepare` taps; nothing is built or run).
    public func tapRequests(student: Network) throws -> [TapRequest] {
        try terms.map { try $0.method.configure(student: student, teacher: teacher ?? student) }
    }

    public func join(_ group: ProcessGroup) {
        if group !== processGroup { preparedStudent = nil }
        processGroup = group
    }

    public func prepare(model: Network, trainSet: Dataset) throws {
        try prepare(student: model, imageShape: trainSet.imageShape, trainingSetSize: trainSet.count)
    }

    public func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
        teacher?.eval()
        // Without a teacher no term reads this output.
        let teacherOutput = try teacher.map { teacher in
            try GradMode.withoutGradient { try teacher.forward(batch.images, taps: teacherTaps) }
        } ?? NetworkOutput(logits: Tensor.zeros([0]))
        let studentOutput = try model.forward(batch.images, taps: studentTaps)
        lastLogits = studentOutput.logits.detach()
        let step = DistillationStep(student: studentOutput, teacher: teacherOutput, labels: batch.labels,
                                    indices: batch.indices, epoch: batch.epoch)
        var total: Tensor?
        var values: [(name: String, value: Float)] = []
        for term in terms {
            let value = try term.method.loss(step)
            values.append((term.method.name, try value.item()))
            let weighted = term.weight == 1 ? value : try value * term.weight
            total = try total.map { try $0 + weighted } ?? weighted
        }
        lastValues = values
        lastLossTerms = zip(terms, values).flatMap { term, value -> [Double] in
            let parts = term.method.partNames.isEmpty ? [Double(value.value)] : term.method.lastParts
            return parts.map { Double(term.weight) * $0 }
        }
        return total!
    }

    public func afterStep() throws {
        for term in terms { try term.method.afterStep() }
    }

    /// The first GIRD term's relations among `images` at each of its layer
    /// pairs, for the student and the teacher in eval mode: cosine
    /// similarities e·eᵀ, B x B, from -1 (black) to 1 (white). The student
    /// learns to draw the teacher's pictures.
    public func epochImages(model: Network, images: Tensor) throws -> [EpochImage] {
        guard let teacher, let gird = terms.lazy.compactMap({ $0.method as? GIRD }).first, !gird.studentTaps.isEmpty else {
            return []
        }
        let wasTraining = model.isTraining
        model.eval()
        teacher.eval()
        defer { if wasTraining { model.train() } }
        return try GradMode.withoutGradient {
            let student = try model.forward(images, taps: gird.studentTaps)
            let teacherOutput = try teacher.forward(images, taps: gird.teacherTaps)
            var matrices: [EpochImage] = []
            for (side, output, taps) in [("student", student, gird.studentTaps), ("teacher", teacherOutput, gird.teacherTaps)] {
                for tap in taps {
                    guard let feature = output.features[tap] else { continue }
                    let embedding = try gird.embed(feature)
                    let relation = try Tensor.matmul(embedding, embedding, transposeA: false, transposeB: true)
                    matrices.append(EpochImage(tag: "relations/\(side)/\(tap)", values: relation.toArray(),
                                               rows: relation.shape[0], columns: relation.shape[1], low: -1, high: 1))
                }
            }
            return matrices
        }
    }

    /// Named `term<k>.<module>` (k from 0), so that two terms of one method do not clash.
    public var trainableModules: [(name: String, module: Module)] {
        terms.enumerated().flatMap { index, term in
            term.method.trainableModules.map { ("term\(index).\($0.name)", $0.module) }
        }
    }

    public var trainingState: [String: TrainingState] {
        var states: [String: TrainingState] = [:]
        for (index, term) in terms.enumerated() {
            if let state = term.method.trainingState { states["term\(index).\(term.method.name)"] = state }
        }
        return states
    }

    private static func union(_ lists: [[String]]) -> [String] {
        var seen = Set<String>(), result: [String] = []
        for name in lists.joined() where seen.insert(name).inserted { result.append(name) }
        return result
    }
}
