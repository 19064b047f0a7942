import GirdTensor
import GirdTrain

/// GIRD's feature reutilization: per tapped layer, a FIFO queue of the
/// student's and one of the teacher's past instance embeddings (MoCo's
/// queue of keys, one per layer and network).
///
/// All queues share one ring position and one fill count, so row j of every
/// queue holds the same image: the bank's columns of a relation matrix are
/// the same images at every layer, which relation evolution needs. Rows are
/// plain numbers, never on the tape. The bank is a `TrainingState`, so a
/// checkpoint carries it and a resume continues with it.
public final class GIRDMemoryBank: TrainingState {
    /// K: the number of images the bank holds when full.
    public let capacity: Int
    /// The embedding width of each queue, student layers then teacher layers.
    public let studentWidths: [Int], teacherWidths: [Int]
    /// n ≤ K: how many rows are filled. While n < K they are rows 0..<n.
    public private(set) var count = 0
    /// Where the next row goes.
    public private(set) var position = 0
    private var student: [[Float]], teacher: [[Float]]

    public init(capacity: Int, studentWidths: [Int], teacherWidths: [Int]) throws {
        guard capacity >= 0 else {
            throw DistillationError.invalidConfiguration("gird: the bank size K must be zero or more, got \(capacity)")
        }
        guard studentWidths.count == teacherWidths.count else {
            throw DistillationError.invalidConfiguration(
                "gird: the bank needs as many student layers as teacher layers, got \(studentWidths.count) and \(teacherWidths.count)")
        }
        self.capacity = capacity
        self.studentWidths = studentWidths
        self.teacherWidths = teacherWidths
        student = studentWidths.map { [Float](repeating: 0, count: capacity * $0) }
        teacher = teacherWidths.map { [Float](repeating: 0, count: capacity * $0) }
    }

    public var layerCount: Int { studentWidths.count }

    /// Qᵀ of the filled rows of one queue, [d, n]: the right-hand operand of
    /// `e · Qᵀ`, laid out for it in one pass (no [n, d] copy to transpose).
    public func transposedRows(layer: Int, student isStudent: Bool) throws -> Tensor {
        let width = isStudent ? studentWidths[layer] : teacherWidths[layer]
        let rows = isStudent ? student[layer] : teacher[layer]
        var values = [Float](repeating: 0, count: width * count)
        for row in 0..<count {
            for column in 0..<width { values[column * count + row] = rows[row * width + column] }
        }
        return try Tensor(shape: [width, count], values: values)
    }

    /// The filled rows of one queue, [n, d], in row order.
    public func rows(layer: Int, student isStudent: Bool) throws -> Tensor {
        let width = isStudent ? studentWidths[layer] : teacherWidths[layer]
        let rows = isStudent ? student[layer] : teacher[layer]
        return try Tensor(shape: [count, width], values: Array(rows[0..<(count * width)]))
    }

    /// Writes one batch of embeddings (B x d per layer, the same B images in
    /// every tensor) at the ring position and advances it by B, wrapping.
    /// With B > K the later rows overwrite the earlier: the bank keeps the
    /// batch's last K rows.
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
        let first = max(0, batch - capacity)  // rows before it would be overwritten in this same call
        let start = (position + first) % capacity
        for layer in 0..<layerCount {
            Self.write(studentRows[layer].toArray(), rows: first..<batch, width: studentWidths[layer], at: start,
                       capacity: capacity, into: &student[layer])
            Self.write(teacherRows[layer].toArray(), rows: first..<batch, width: teacherWidths[layer], at: start,
                       capacity: capacity, into: &teacher[layer])
        }
        position = (position + batch) % capacity
        count = min(count + batch, capacity)
    }

    private static func write(_ values: [Float], rows: Range<Int>, width: Int, at start: Int, capacity: Int,
                              into queue: inout [Float]) {
        var slot = start
        for row in rows {
            queue.replaceSubrange(slot * width..<(slot + 1) * width, with: values[row * width..<(row + 1) * width])
            slot = (slot + 1) % capacity
        }
    }

    /// Empties the bank (a new run with the same method object).
    public func reset() {
        count = 0
        position = 0
        for index in student.indices { student[index] = [Float](repeating: 0, count: student[index].count) }
        for index in teacher.indices { teacher[index] = [Float](repeating: 0, count: teacher[index].count) }
    }

    // MARK: TrainingState

    /// `student<l>` and `teacher<l>` ([K, d], the whole ring) and `ring`
    /// (int64 [position, count]).
    public var checkpointTensors: [(name: String, tensor: Tensor)] {
        var tensors: [(name: String, tensor: Tensor)] = []
        for layer in 0..<layerCount {
            // The shapes are the ones `init` sized the arrays by; a failure is a broken invariant.
            tensors.append(("student\(layer)", try! Tensor(shape: [capacity, studentWidths[layer]], values: student[layer])))
            tensors.append(("teacher\(layer)", try! Tensor(shape: [capacity, teacherWidths[layer]], values: teacher[layer])))
        }
        tensors.append(("ring", try! Tensor(shape: [2], indices: [Int64(position), Int64(count)])))
        return tensors
    }

    public func restore(checkpointTensors tensors: [String: Tensor]) throws {
        if tensors.isEmpty {
            reset()
            return
        }
        guard let ring = tensors["ring"], ring.shape == [2], ring.dtype == .int64 else {
            throw DistillationError.invalidConfiguration("gird: the checkpoint's bank has no int64 [2] 'ring' tensor")
        }
        let values = ring.toIndices()
        let (savedPosition, savedCount) = (Int(values[0]), Int(values[1]))
        guard savedCount >= 0, savedCount <= capacity, savedPosition >= 0, savedPosition < max(capacity, 1) else {
            throw DistillationError.invalidConfiguration(
                "gird: the checkpoint's bank is at position \(savedPosition) with \(savedCount) rows; this bank holds \(capacity)")
        }
        var restoredStudent = student, restoredTeacher = teacher
        for layer in 0..<layerCount {
            for (name, width, isStudent) in [("student\(layer)", studentWidths[layer], true),
                                             ("teacher\(layer)", teacherWidths[layer], false)] {
                guard let tensor = tensors[name], tensor.shape == [capacity, width], tensor.dtype == .float32 else {
                    throw DistillationError.invalidConfiguration(
                        "gird: the checkpoint's bank has no [\(capacity), \(width)] tensor '\(name)' (was it saved with another K or other layers?)")
                }
                if isStudent { restoredStudent[layer] = tensor.toArray() } else { restoredTeacher[layer] = tensor.toArray() }
            }
        }
        student = restoredStudent
        teacher = restoredTeacher
        position = savedPosition
        count = savedCount
    }
}
