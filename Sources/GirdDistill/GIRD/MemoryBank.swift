import GirdTensor
import GirdTrain

/// GIRD's feature reutilization: per tapped layer, a FIFO queue of the
/// student's and one of the teacher's past instance embeddings (MoCo's
/// queue of keys, one per layer and network).
///
/// All queues share one ring position and one fill count, so row j of every
/// queue holds the same image: the bank's columns of a relation matrix are
/// the same images at every layer, which relation evolution needs. While
/// the bank fills, rows 0..<n are the filled ones. Rows are constants, never
/// on the tape; each queue is one [K, d] tensor that the relation product
/// reads in place, written only after the step's backward (`enqueue`). The
/// bank is a `TrainingState`: a checkpoint carries it, a resume restores it.
public final class GIRDMemoryBank: TrainingState {
    /// K: the number of images the bank holds when full.
    public let capacity: Int
    public let studentWidths: [Int], teacherWidths: [Int]
    /// n ≤ K: how many rows are filled.
    public private(set) var count = 0
    /// Where the next row goes.
    public private(set) var position = 0
    private let student: [Tensor], teacher: [Tensor]

    public init(capacity: Int, studentWidths: [Int], teacherWidths: [Int]) throws {
        guard capacity >= 0 else {
            throw DistillationError.invalidConfiguration("gird: the bank size K must be zero or more, got \(capacity)")
        }
        guard studentWidths.count == teacherWidths.count else {
            throw DistillationError.invalidConfiguration(
                "gird: the bank needs as many student layers as teacher layers, got \(studentWidths.count) and \(teacherWidths.count)")
        }
        let width = (studentWidths + teacherWidths).reduce(0, +)
        try MemoryLimit.check([capacity, width],
                              what: "gird: a memory bank of K = \(capacity) images (\(width) floats each, over every tapped layer of both networks)")
        self.capacity = capacity
        self.studentWidths = studentWidths
        self.teacherWidths = teacherWidths
        student = studentWidths.map { Tensor.zeros([capacity, $0]) }
        teacher = teacherWidths.map { Tensor.zeros([capacity, $0]) }
    }

    public var layerCount: Int { studentWidths.count }

    /// The whole [K, d] queue of one layer, rows n..<K unfilled (zeros until
    /// the ring first wraps). Read it, never keep it past the next `enqueue`.
    public func queue(layer: Int, student isStudent: Bool) -> Tensor {
        (isStudent ? student : teacher)[layer].detach()
    }

    /// A copy of the filled rows of one queue, [n, d], in row order.
    public func rows(layer: Int, student isStudent: Bool) throws -> Tensor {
        try queue(layer: layer, student: isStudent).narrowed(axis: 0, start: 0, length: count)
    }

    /// Writes one batch of embeddings (B x d per layer, the same B images in
    /// every tensor) at the ring position and advances it by B, wrapping.
    /// With B > K the later rows overwrite the earlier: the bank keeps the
    /// batch's last K rows, where writing them one by one would leave them.
    public func enqueue(student studentRows: [Tensor], teacher teacherRows: [Tensor]) throws {
        guard studentRows.count == layerCount, teacherRows.count == layerCount else {
            throw DistillationError.invalidConfiguration(
                "gird: the bank has \(layerCount) layers, got \(studentRows.count) student and \(teacherRows.count) teacher embeddings")
        }
        let batch = studentRows.first?.shape.first ?? 0
        for (tensors, widths) in [(studentRows, studentWidths), (teacherRows, teacherWidths)] {
            for (tensor, width) in zip(tensors, widths) where tensor.shape != [batch, width] {
                throw DistillationError.invalidConfiguration(
                    "gird: the bank expects [\(batch), \(width)] embeddings, got \(tensor.shape)")
            }
        }
        guard capacity > 0, batch > 0 else { return }
        let first = max(0, batch - capacity)  // earlier rows would be overwritten within this batch
        let start = (position + first) % capacity
        let beforeWrap = min(batch - first, capacity - start)
        for (queues, rows) in [(student, studentRows), (teacher, teacherRows)] {
            for (queue, batchRows) in zip(queues, rows) {
                try queue.overwriteRows(startingAt: start, from: batchRows, rows: first..<(first + beforeWrap))
                try queue.overwriteRows(startingAt: 0, from: batchRows, rows: (first + beforeWrap)..<batch)
            }
        }
        position = (position + batch) % capacity
        count = min(count + batch, capacity)
    }

    /// Empties the bank.
    public func reset() throws {
        for queue in student + teacher { try queue.copyValues(from: Tensor.zeros(queue.shape)) }
        count = 0
        position = 0
    }

    // MARK: TrainingState

    /// `student<l>` and `teacher<l>` ([K, d], the whole ring) and `ring`
    /// (int64 [position, count]).
    public var checkpointTensors: [(name: String, tensor: Tensor)] {
        var tensors: [(name: String, tensor: Tensor)] = []
        for layer in 0..<layerCount {
            tensors.append(("student\(layer)", student[layer].detach()))
            tensors.append(("teacher\(layer)", teacher[layer].detach()))
        }
        // Two non-negative integers in an int64 [2] tensor cannot fail to build.
        tensors.append(("ring", try! Tensor(shape: [2], indices: [Int64(position), Int64(count)])))
        return tensors
    }

    public func restore(checkpointTensors tensors: [String: Tensor]) throws {
        if tensors.isEmpty { return try reset() }
        guard let ring = tensors["ring"], ring.shape == [2], ring.dtype == .int64 else {
            throw DistillationError.invalidConfiguration("gird: the checkpoint's bank has no int64 [2] 'ring' tensor")
        }
        let values = ring.toIndices()
        let (savedPosition, savedCount) = (Int(values[0]), Int(values[1]))
        guard savedCount >= 0, savedCount <= capacity, savedPosition >= 0, savedPosition < max(capacity, 1) else {
            throw DistillationError.invalidConfiguration(
                "gird: the checkpoint's bank is at position \(savedPosition) with \(savedCount) rows; this bank holds \(capacity)")
        }
        // Check everything before changing anything.
        var pairs: [(Tensor, Tensor)] = []
        for layer in 0..<layerCount {
            for (name, queue) in [("student\(layer)", student[layer]), ("teacher\(layer)", teacher[layer])] {
                guard let saved = tensors[name], saved.shape == queue.shape, saved.dtype == .float32 else {
                    throw DistillationError.invalidConfiguration(
                        "gird: the checkpoint's bank has no \(queue.shape) tensor '\(name)' (was it saved with another K or other layers?)")
                }
                pairs.append((queue, saved))
            }
        }
        for (queue, saved) in pairs { try queue.copyValues(from: saved) }
        position = savedPosition
        count = savedCount
    }
}
