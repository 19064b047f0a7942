import GirdTensor

/// GIRD's parts as functions of tensors (`docs/methods/gird.md`): instance
/// embeddings, similarity relations against a bank, and the relation losses.
/// The method (`Methods/GIRD.swift`) runs them on each step; recipes and
/// tests may call them directly.
extension GIRD {
    /// e = z / max(‖z‖₂, 1e-12) with z = pool(map), B x d. A [B, C] input
    /// (the `embedding` tap) is taken as z as it is.
    public static func embedding(_ map: Tensor, pool: Pooling) throws -> Tensor {
        let pooled: Tensor
        switch (map.rank, pool) {
        case (2, _): pooled = map
        case (4, .globalAverage): pooled = try map.globalAvgPool()
        case let (4, .adaptiveAverage(size)): pooled = try map.adaptiveAvgPool2d(outputSize: size).flattened()
        case (4, .flatten): pooled = try map.flattened()
        default:
            throw DistillationError.invalidConfiguration("gird: a tapped feature has shape \(map.shape); expected [B, C, H, W] or [B, C]")
        }
        return try pooled.l2Normalized(axis: 1, epsilon: 1e-12)
    }

    /// R = e · [e ; Q]ᵀ, B x (B+n): every batch image against every batch
    /// image and every stored one (`batch` and `bank` already normalised;
    /// the diagonal is still in). For inspection; the step itself keeps the
    /// two column blocks apart (`relationTerms`).
    public static func relation(batch: Tensor, bank: Tensor) throws -> Tensor {
        try Tensor.matmul(batch, Tensor.concatenated([batch, bank.detach()], axis: 0), transposeA: false, transposeB: true)
    }

    /// The similarity losses (one per layer) and the evolution losses (one per
    /// pair of `configuration.evolutionPairs`, in lexicographic order) of
    /// feature maps against a bank of n stored embeddings per layer
    /// (`bankStudent[l]`: [n, d_S[l]], all rows filled), with `total` their
    /// plain sum: β and γ are the method's, not applied here.
    public static func losses(student: [Tensor], teacher: [Tensor], bankStudent: [Tensor], bankTeacher: [Tensor],
                              configuration: Configuration) throws -> (sim: [Tensor], evo: [Tensor], total: Tensor) {
        guard student.count == teacher.count, bankStudent.count == student.count, bankTeacher.count == student.count else {
            throw DistillationError.invalidConfiguration(
                "gird: \(student.count) student maps, \(teacher.count) teacher maps, \(bankStudent.count) and \(bankTeacher.count) bank queues; they must pair up")
        }
        let stored = bankStudent.first?.shape.first ?? 0
        let pairs = configuration.evolutionPairs.pairs(layers: student.count)
        let terms = try relationTerms(
            student: try student.map { try embedding($0, pool: configuration.pool) },
            teacher: try teacher.map { try embedding($0, pool: configuration.pool) },
            studentQueues: bankStudent, teacherQueues: bankTeacher, stored: stored, pairs: pairs, configuration: configuration)
        let values = try (0..<terms.count).map { try terms.narrowed(axis: 0, start: $0, length: 1).reshaped([]) }
        return (Array(values[..<student.count]), Array(values[student.count...]), try terms.sum())
    }

    /// The unweighted terms [L_sim[0..<L], L_evo[pairs]] for embeddings e
    /// (B x d per layer) against bank queues whose first `stored` rows are
    /// filled. The bank block e · Qᵀ is one product reading each whole queue
    /// in place (rows past `stored` give columns the loss ignores), the batch
    /// block e · eᵀ another; the losses are one fused op.
    static func relationTerms(student: [Tensor], teacher: [Tensor], studentQueues: [Tensor]?, teacherQueues: [Tensor]?,
                              stored: Int, pairs: [(Int, Int)], configuration: Configuration) throws -> Tensor {
        let usesBank = stored > 0 && studentQueues != nil && teacherQueues != nil
        func blocks(_ embeddings: [Tensor], _ queues: [Tensor]?) throws -> [[Tensor]] {
            try embeddings.enumerated().map { layer, e in
                let batchBlock = try Tensor.matmul(e, e, transposeA: false, transposeB: true)
                guard usesBank, let queues else { return [batchBlock] }
                return [batchBlock, try Tensor.matmul(e, queues[layer].detach(), transposeA: false, transposeB: true)]
            }
        }
        let batch = student.first?.shape.first ?? 0
        let studentBlocks = try blocks(student, studentQueues)
        let teacherBlocks = try GradMode.withoutGradient { try blocks(teacher, teacherQueues) }
        let similarity: RelationSimilarityLoss
        switch configuration.similarityLoss {
        case .kl: similarity = .kl(temperature: configuration.temperature)
        case .mse: similarity = .mse
        }
        return try Tensor.relationLosses(
            student: studentBlocks, teacher: teacherBlocks, validColumns: usesBank ? [batch, stored] : [batch],
            similarity: similarity, evolution: configuration.evolutionLoss == .mse ? .mse : .huber, pairs: pairs)
    }
}
