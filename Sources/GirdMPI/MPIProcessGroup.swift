import CMPICalls
import Foundation
import GirdTensor

/// The ranks of an MPI job (Open MPI, launched by `mpirun`, `mpiexec` or
/// Slurm's `srun`): `MPI_COMM_WORLD` behind `ProcessGroup`.
///
///     if MPIProcessGroup.isLaunched { ProcessGroups.world = try MPIProcessGroup.join() }
///
/// A process that no launcher started never loads MPI's machinery: it runs
/// alone, exactly as without this module.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int
    /// The host this rank runs on (`MPI_Get_processor_name`).
    public let hostName: String

    /// Whether an MPI launcher started this process (its environment says so).
    public static var isLaunched: Bool { gird_mpi_launched() != 0 }

    private nonisolated(unsafe) static var joined: MPIProcessGroup?

    /// Joins the job (`MPI_Init_thread`, funneled: only the calling thread
    /// communicates). Once per process; later calls return the same group.
    public static func join() throws -> MPIProcessGroup {
        if let joined { return joined }
        var rank: Int32 = 0, size: Int32 = 0
        try check(gird_mpi_init(&rank, &size), "init")
        var name = [CChar](repeating: 0, count: 256)
        try check(gird_mpi_processor_name(&name, Int32(name.count)), "get_processor_name")
        let group = MPIProcessGroup(rank: Int(rank), size: Int(size), hostName: String(cString: name))
        joined = group
        return group
    }

    private init(rank: Int, size: Int, hostName: String) {
        self.rank = rank
        self.size = size
        self.hostName = hostName
    }

    /// Leaves the job (`MPI_Finalize`): every rank must call it before exiting normally.
    public func finalize() throws {
        try Self.check(gird_mpi_finalize(), "finalize")
    }

    public func barrier() throws {
        try Self.check(gird_mpi_barrier(), "barrier")
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        guard let base = values.baseAddress else { return }
        try Self.check(gird_mpi_allreduce_float_sum(base, Int64(values.count)), "allreduce")
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        guard let base = values.baseAddress else { return }
        try Self.check(gird_mpi_allreduce_double_sum(base, Int64(values.count)), "allreduce")
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Int64>) throws {
        guard let base = values.baseAddress else { return }
        try Self.check(gird_mpi_allreduce_int64_sum(base, Int64(values.count)), "allreduce")
    }

    public func allReduceMax(_ values: UnsafeMutableBufferPointer<Int64>) throws {
        guard let base = values.baseAddress else { return }
        try Self.check(gird_mpi_allreduce_int64_max(base, Int64(values.count)), "allreduce")
    }

    public func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws -> PendingCollective {
        guard let base = values.baseAddress, values.count > 0 else { return Done() }
        guard values.count <= Int(Int32.max) else {
            // Longer than one MPI count: reduce at once, in chunks.
            try allReduceSum(values)
            return Done()
        }
        var request: UnsafeMutableRawPointer?
        try Self.check(gird_mpi_iallreduce_float_sum(base, Int32(values.count), &request), "iallreduce")
        return Request(request!)
    }

    public func allGather(_ values: [Float], counts: [Int]) throws -> [Float] {
        let (counts32, offsets) = try Self.layout(counts, size: size, mine: values.count, rank: rank)
        var received = [Float](repeating: 0, count: counts.reduce(0, +))
        try values.withUnsafeBufferPointer { send in
            try received.withUnsafeMutableBufferPointer { receive in
                try Self.check(gird_mpi_allgatherv_float(send.baseAddress, Int32(values.count), receive.baseAddress,
                                                         counts32, offsets), "allgatherv")
            }
        }
        return received
    }

    public func allGather(_ values: [Int64], counts: [Int]) throws -> [Int64] {
        let (counts32, offsets) = try Self.layout(counts, size: size, mine: values.count, rank: rank)
        var received = [Int64](repeating: 0, count: counts.reduce(0, +))
        try values.withUnsafeBufferPointer { send in
            try received.withUnsafeMutableBufferPointer { receive in
                try Self.check(gird_mpi_allgatherv_int64(send.baseAddress, Int32(values.count), receive.baseAddress,
                                                         counts32, offsets), "allgatherv")
            }
        }
        return received
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try Self.check(gird_mpi_broadcast(base, Int64(bytes.count), Int32(root)), "bcast")
    }

    public func abort(code: Int32) -> Never {
        gird_mpi_abort(code)
        exit(code)  // MPI_Abort does not return; this line satisfies the type.
    }

    /// MPI counts and displacements are ints: the whole gather must fit.
    private static func layout(_ counts: [Int], size: Int, mine: Int, rank: Int) throws -> ([Int32], [Int32]) {
        guard counts.count == size, counts[rank] == mine else {
            throw ProcessGroupError.ranksDisagree(
                "allgather: rank \(rank) sends \(mine) values, but the counts say \(counts) for \(size) ranks")
        }
        guard counts.reduce(0, +) <= Int(Int32.max) else {
            throw ProcessGroupError.collectiveFailed(
                operation: "allgatherv", message: "\(counts.reduce(0, +)) values are more than one gather can carry (2^31 - 1)")
        }
        var offsets: [Int32] = [], total: Int32 = 0
        for count in counts { offsets.append(total); total += Int32(count) }
        return (counts.map { Int32($0) }, offsets)
    }

    static func check(_ status: Int32, _ operation: String) throws {
        guard status != 0 else { return }
        var text = [CChar](repeating: 0, count: 512)
        gird_mpi_error_string(status, &text, Int32(text.count))
        throw ProcessGroupError.collectiveFailed(operation: operation, message: String(cString: text))
    }

    private final class Request: PendingCollective {
        private var handle: UnsafeMutableRawPointer?

        init(_ handle: UnsafeMutableRawPointer) { self.handle = handle }

        func test() throws -> Bool {
            guard let handle else { return true }
            var done: Int32 = 0
            try MPIProcessGroup.check(gird_mpi_test(handle, &done), "test")
            return done != 0
        }

        func wait() throws {
            guard let handle else { return }
            self.handle = nil
            try MPIProcessGroup.check(gird_mpi_wait(handle), "wait")
        }

        deinit {
            // A request dropped unfinished is waited for, so its buffer is not
            // written after it is freed.
            if let handle { _ = gird_mpi_wait(handle) }
        }
    }

    private final class Done: PendingCollective {
        func test() throws -> Bool { true }
        func wait() throws {}
    }
}
