import Foundation

/// The processes of a data-parallel job and the collectives the engine needs
/// from them, as `torch.distributed`'s process group. A process started
/// alone is a group of one (`SingleProcessGroup`), whose collectives return
/// their input: code written for a group runs unchanged without MPI.
/// `GirdMPI.MPIProcessGroup` is the group of an `mpirun` job.
///
/// Every rank must make the same collective calls in the same order with
/// the same sizes (MPI's rule); the engine's callers keep to it by deciding
/// everything that changes the sequence (stopping, skipping a batch) with a
/// collective first.
public protocol ProcessGroup: AnyObject {
    /// This process's index, 0 ..< size.
    var rank: Int { get }
    var size: Int { get }
    /// In place: every rank ends with the element-wise sum over ranks.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Int64>) throws
    func allReduceMax(_ values: UnsafeMutableBufferPointer<Int64>) throws
    /// Starts an in-place float sum and returns at once; the values may be
    /// read only after `wait()`.
    func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws -> PendingCollective
    /// Every rank's `values`, concatenated in rank order; `counts[r]` is how
    /// many rank r sends (the same array on every rank).
    func allGather(_ values: [Float], counts: [Int]) throws -> [Float]
    func allGather(_ values: [Int64], counts: [Int]) throws -> [Int64]
    /// `bytes` of rank `root`, on every rank (the others' count must match).
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws
    /// Ends every process of the job with `code`: the way out when one rank
    /// fails and the others would wait for it forever.
    func abort(code: Int32) -> Never
}

/// A collective under way (`ProcessGroup.startAllReduceSum`).
public protocol PendingCollective: AnyObject {
    /// Whether it has finished; also moves it along (MPI progresses
    /// non-blocking collectives inside its calls).
    func test() throws -> Bool
    /// Blocks until it has finished; call exactly once.
    func wait() throws
}

public enum ProcessGroupError: Error, CustomStringConvertible, Equatable {
    /// A collective failed (the message is the library's).
    case collectiveFailed(operation: String, message: String)
    /// The ranks disagree on something they must share.
    case ranksDisagree(String)

    public var description: String {
        switch self {
        case .collectiveFailed(let operation, let message): return "MPI \(operation) failed: \(message)"
        case .ranksDisagree(let message): return message
        }
    }
}

/// The group of a process that runs alone: rank 0 of 1.
public final class SingleProcessGroup: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Int64>) throws {}
    public func allReduceMax(_ values: UnsafeMutableBufferPointer<Int64>) throws {}
    public func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws -> PendingCollective { Finished() }
    public func allGather(_ values: [Float], counts: [Int]) throws -> [Float] { values }
    public func allGather(_ values: [Int64], counts: [Int]) throws -> [Int64] { values }
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {}
    public func abort(code: Int32) -> Never { exit(code) }

    private final class Finished: PendingCollective {
        func test() throws -> Bool { true }
        func wait() throws {}
    }
}

/// The process's default group, as `torch.distributed`'s default process
/// group: a single process unless the program joined an MPI job at start
/// (`gird-repl` does when `mpirun` launched it). Set once, before any
/// training, from the main thread.
public enum ProcessGroups {
    nonisolated(unsafe) public static var world: ProcessGroup = SingleProcessGroup()
}

extension ProcessGroup {
    public var isDistributed: Bool { size > 1 }

    /// Sums plain float32 `tensor` over the ranks, in place (bypasses the tape).
    public func allReduceSum(_ tensor: Tensor) throws {
        guard tensor.dtype == .float32, !tensor.isBlocked else {
            throw TensorError.invalidArgument(op: "allReduceSum", message: "the tensor must be plain float32")
        }
        try allReduceSum(tensor.mutableFloats)
        tensor.plainCache = nil
    }

    public func allReduceSum(_ values: [Double]) throws -> [Double] {
        var copy = values
        try copy.withUnsafeMutableBufferPointer { try allReduceSum($0) }
        return copy
    }

    public func allReduceSum(_ values: [Int64]) throws -> [Int64] {
        var copy = values
        try copy.withUnsafeMutableBufferPointer { try allReduceSum($0) }
        return copy
    }

    public func allReduceMax(_ values: [Int64]) throws -> [Int64] {
        var copy = values
        try copy.withUnsafeMutableBufferPointer { try allReduceMax($0) }
        return copy
    }

    /// Whether `condition` holds on any rank (every rank gets the same answer).
    public func any(_ condition: Bool) throws -> Bool {
        try allReduceMax([condition ? 1 : 0])[0] != 0
    }

    /// Rank `root`'s bytes on every rank, of any length (the length goes first).
    public func broadcast(_ bytes: [UInt8], from root: Int) throws -> [UInt8] {
        guard isDistributed else { return bytes }
        var length = [Int64(rank == root ? bytes.count : 0)]
        try length.withUnsafeMutableBytes { try broadcast($0, from: root) }
        var received = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try received.withUnsafeMutableBytes { try broadcast($0, from: root) }
        return received
    }

    /// Every rank's `values` concatenated in rank order (the ranks may hold
    /// different numbers), and where this rank's begin in the result.
    public func allGatherIndices(_ values: [Int64]) throws -> (all: [Int64], start: Int) {
        guard isDistributed else { return (values, 0) }
        let counts = try allGather([Int64(values.count)], counts: Array(repeating: 1, count: size)).map(Int.init)
        return (try allGather(values, counts: counts), counts[..<rank].reduce(0, +))
    }

    /// Every rank's float tensor rows, concatenated along axis 0 in rank
    /// order (the ranks may hold different numbers of rows; the other axes
    /// must agree). Not recorded on the tape.
    public func allGatherRows(_ tensor: Tensor) throws -> Tensor {
        guard isDistributed else { return tensor }
        let rowSize = tensor.shape.dropFirst().reduce(1, *)
        let rows = try allGather([Int64(tensor.shape.first ?? 0)], counts: Array(repeating: 1, count: size)).map(Int.init)
        let values = try allGather(tensor.toArray(), counts: rows.map { $0 * rowSize })
        return try Tensor(shape: [rows.reduce(0, +)] + tensor.shape.dropFirst(), values: values)
    }
}

extension ProcessGroup {
    /// Overwrites every rank's `tensors` with rank `root`'s, in one message
    /// (all plain; the same shapes and dtypes on every rank): the start of a
    /// data-parallel run, and batch norm's running statistics before each
    /// step, as DDP's `broadcast_buffers`. Bypasses the tape.
    public func broadcast(_ tensors: [Tensor], from root: Int) throws {
        guard isDistributed, !tensors.isEmpty else { return }
        if let blocked = tensors.first(where: \.isBlocked) {
            throw TensorError.invalidArgument(
                op: "broadcast", message: "a tensor of shape \(formatShape(blocked.shape)) is not plain")
        }
        let total = tensors.reduce(0) { $0 + $1.count * $1.dtype.byteSize }
        let message = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 16)
        defer { message.deallocate() }
        var offset = 0
        if rank == root {
            for tensor in tensors {
                let bytes = tensor.count * tensor.dtype.byteSize
                (message.baseAddress! + offset).copyMemory(from: tensor.storage.pointer, byteCount: bytes)
                offset += bytes
            }
        }
        try broadcast(message, from: root)
        guard rank != root else { return }
        offset = 0
        for tensor in tensors {
            let bytes = tensor.count * tensor.dtype.byteSize
            tensor.storage.pointer.copyMemory(from: message.baseAddress! + offset, byteCount: bytes)
            tensor.plainCache = nil
            offset += bytes
        }
    }
}
