import GirdTensor
import GirdTrain

/// CRD's memory (RepDistiller's `ContrastMemory`): one bank of unit-length
/// embeddings per side, a row per training image, that supplies the
/// negatives of the contrastive loss without running the networks on them.
///
/// For a batch anchored at dataset indices y with K negatives each, the
/// scores are, for j over the K + 1 indices (the positive y_b first),
///
///     student scores  s[b][j] = exp(⟨M_t[j], v_s[b]⟩ / T) / Z_s   (the teacher's bank)
///     teacher scores  t[b][j] = exp(⟨M_s[j], v_t[b]⟩ / T) / Z_t   (the student's bank)
///
/// Z = N · mean of the first batch's exp terms, fixed from then on: the
/// NCE treats the scores as unnormalised densities and Z makes them
/// roughly sum to 1 over the dataset. After the step, the rows of the
/// batch move towards its embeddings and are renormalised:
/// M[y_b] ← normalise(m · M[y_b] + (1 − m) · v_b).
///
/// Negatives are drawn uniformly over the dataset, with replacement, from
/// the memory's own seeded generator (RepDistiller's `AliasMethod` over
/// uniform weights); its state is checkpointed with the banks and Z.
///
/// Data-parallel (`processGroup` of several ranks): every rank draws the
/// negatives of the whole global batch and keeps its own rows, so the
/// generator, the draws, Z (from the global batch's scores) and the banks
/// (updated with every rank's rows) are the same on every rank, and those
/// of one process given the same global batches.
public final class ContrastMemory: TrainingState {
    public struct Normalization: Equatable, Sendable {
        public var student: Float
        public var teacher: Float

        public init(student: Float, teacher: Float) {
            self.student = student
            self.teacher = teacher
        }
    }

    public let size: Int
    public let dimension: Int
    public let negatives: Int
    public let temperature: Float
    public let momentum: Float
    /// The student's embeddings (RepDistiller's `memory_v1`), [size, dimension].
    public let studentBank: Tensor
    /// The teacher's embeddings (`memory_v2`).
    public let teacherBank: Tensor
    /// Z, nil until the first batch sets it.
    public var normalization: Normalization?
    public let generator: RandomGenerator
    /// The ranks sharing this memory (one process unless set).
    public var processGroup: ProcessGroup = SingleProcessGroup()

    /// The banks start uniform in ±1/sqrt(dimension / 3), as RepDistiller's.
    public init(size: Int, dimension: Int, negatives: Int, temperature: Float, momentum: Float,
                generator: RandomGenerator) throws {
        guard size > 0, dimension > 0, negatives > 0 else {
            throw DistillationError.invalidConfiguration(
                "crd: the memory needs a positive size, dimension and number of negatives, got \(size), \(dimension) and \(negatives)")
        }
        self.size = size
        self.dimension = dimension
        self.negatives = negatives
        self.temperature = temperature
        self.momentum = momentum
        self.generator = generator
        let bound = 1 / (Float(dimension) / 3).squareRoot()
        studentBank = try Tensor.rand([size, dimension], generator: generator) * (2 * bound) - bound
        teacherBank = try Tensor.rand([size, dimension], generator: generator) * (2 * bound) - bound
    }

    /// [B, K + 1] dataset indices: each positive, then K uniform draws.
    /// With `keeping`, the draws are made for every positive (the global
    /// batch) but only those rows are returned (this rank's).
    public func contrastIndices(positives: [Int], keeping rows: Range<Int>? = nil) throws -> Tensor {
        let kept = rows ?? 0..<positives.count
        guard kept.lowerBound >= 0, kept.upperBound <= positives.count else {
            throw DistillationError.invalidConfiguration(
                "crd: rows \(kept) are not within a batch of \(positives.count)")
        }
        var indices: [Int64] = []
        indices.reserveCapacity(kept.count * (negatives + 1))
        for (row, positive) in positives.enumerated() {
            let keep = kept.contains(row)
            if keep { indices.append(Int64(positive)) }
            for _ in 0..<negatives {
                let draw = Int64(generator.nextInt(below: size))
                if keep { indices.append(draw) }
            }
        }
        return try Tensor(shape: [kept.count, negatives + 1], indices: indices)
    }

    /// The scores of both sides for unit embeddings `student` and `teacher`
    /// ([B, dimension]) against the rows `contrastIndices` ([B, K + 1]).
    /// Sets Z on the first call.
    public func scores(student: Tensor, teacher: Tensor, contrastIndices: Tensor) throws -> (student: Tensor, teacher: Tensor) {
        let studentScores = try (try student.indexedRowDot(bank: teacherBank, indices: contrastIndices) * (1 / temperature)).exp()
        let teacherScores = try (try teacher.indexedRowDot(bank: studentBank, indices: contrastIndices) * (1 / temperature)).exp()
        if normalization == nil {
            // The batch's mean, summed in Double; data-parallel, over every
            // rank's sums and counts (the global batch).
            let sums = try processGroup.allReduceSum([studentScores.toArray().reduce(0) { $0 + Double($1) },
                                                      teacherScores.toArray().reduce(0) { $0 + Double($1) },
                                                      Double(studentScores.count)])
            normalization = Normalization(student: Float(sums[0] / sums[2] * Double(size)),
                                          teacher: Float(sums[1] / sums[2] * Double(size)))
        }
        return (try studentScores * (1 / normalization!.student), try teacherScores * (1 / normalization!.teacher))
    }

    /// Moves the rows `indices` of both banks towards `student` and
    /// `teacher` (the batch's embeddings, in the same order); data-parallel,
    /// every rank's rows, in rank order.
    public func update(indices: [Int], student: Tensor, teacher: Tensor) throws {
        let indices = try processGroup.allGatherIndices(indices.map(Int64.init)).all.map(Int.init)
        let student = try processGroup.allGatherRows(student), teacher = try processGroup.allGatherRows(teacher)
        for (bank, embeddings) in [(studentBank, student), (teacherBank, teacher)] {
            guard embeddings.shape == [indices.count, dimension] else {
                throw DistillationError.invalidConfiguration(
                    "crd: the memory update needs [\(indices.count), \(dimension)] embeddings, got \(embeddings.shape)")
            }
            let rows = try GradMode.withoutGradient {
                let old = try bank.indexSelect(axis: 0, indices: try Tensor(shape: [indices.count], indices: indices.map(Int64.init)))
                let mixed = try old * momentum + embeddings.detach() * (1 - momentum)
                return try mixed / mixed.square().sum(axes: [1], keepingDimensions: true).sqrt()
            }
            try bank.indexCopy(rows: indices, from: rows)
        }
    }

    // MARK: TrainingState

    public var checkpointTensors: [(name: String, tensor: Tensor)] {
        let state = generator.state
        return [
            ("memory_student", studentBank), ("memory_teacher", teacherBank),
            ("normalization", (try? Tensor(shape: [2], values: [normalization?.student ?? -1, normalization?.teacher ?? -1])) ?? Tensor(-1)),
            ("generator", (try? Tensor(shape: [2], indices: [Int64(bitPattern: state.seed), Int64(bitPattern: state.offset)])) ?? Tensor(-1)),
        ]
    }

    public func restore(checkpointTensors tensors: [String: Tensor]) throws {
        if tensors.isEmpty { return }
        guard let student = tensors["memory_student"], let teacher = tensors["memory_teacher"],
              let normalization = tensors["normalization"], let generatorState = tensors["generator"],
              student.shape == studentBank.shape, teacher.shape == teacherBank.shape,
              normalization.shape == [2], generatorState.shape == [2], generatorState.dtype == .int64 else {
            throw DistillationError.invalidConfiguration(
                "crd: the checkpoint's memory does not fit a memory of \(size) x \(dimension) (names \(tensors.keys.sorted()))")
        }
        try studentBank.copyValues(from: student)
        try teacherBank.copyValues(from: teacher)
        let z = normalization.toArray()
        self.normalization = z[0] > 0 && z[1] > 0 ? Normalization(student: z[0], teacher: z[1]) : nil
        let words = generatorState.toIndices()
        generator.state = RandomGenerator.State(seed: UInt64(bitPattern: words[0]), offset: UInt64(bitPattern: words[1]))
    }
}
