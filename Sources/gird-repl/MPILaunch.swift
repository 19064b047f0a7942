import Foundation
import GirdMPI
import GirdRecipe
import GirdTensor

/// `mpirun -np N gird-repl recipe.recipe`: every rank runs the same recipe;
/// the engine shares the work (see docs/distributed.md). Rank 0 alone
/// prints and writes; a rank that fails ends the job with its message.
enum MPILaunch {
    static func run(arguments: [String]) -> Int32 {
        let group: MPIProcessGroup
        do {
            group = try MPIProcessGroup.join()
        } catch {
            FileHandle.standardError.write(Data("gird-repl: cannot join the MPI job: \(error)\n".utf8))
            return 1
        }
        ProcessGroups.world = group
        do {
            try checkSameInvocation(arguments, in: group)
        } catch {
            if group.rank == 0 {
                FileHandle.standardError.write(Data("gird-repl: \(error)\n".utf8))
            } else {
                // Every rank sees the disagreement at once; an abort from
                // another rank could end rank 0 before its message is out.
                // Rank 0 aborts first, with the message; the others wait.
                usleep(2_000_000)
            }
            group.abort(code: 2)
        }
        CommandLineTool.interactiveSession = { _ in
            FileHandle.standardError.write(Data(
                "gird-repl: under mpirun there is no interactive REPL; give a recipe file or -e CODE\n".utf8))
            return 2
        }
        // The ranks run the same recipe and would print the same lines N times.
        if group.rank != 0, freopen("/dev/null", "w", stdout) == nil {
            FileHandle.standardError.write(Data("gird-repl: rank \(group.rank): cannot silence standard output\n".utf8))
        }
        let status = CommandLineTool.run(arguments: arguments)
        guard status == 0 else {
            // Other ranks may be waiting for this one in a collective.
            fflush(stdout)
            group.abort(code: status)
        }
        do {
            try group.finalize()
        } catch {
            FileHandle.standardError.write(Data("gird-repl: rank \(group.rank): \(error)\n".utf8))
            return 1
        }
        return 0
    }

    /// Ranks started with different command lines or recipe files would
    /// train different things and deadlock at the first collective that
    /// differs: they compare a hash of the arguments and of every file the
    /// arguments name before anything runs.
    static func checkSameInvocation(_ arguments: [String], in group: MPIProcessGroup) throws {
        var hash = FNV1a()
        for argument in arguments {
            hash.add(Array(argument.utf8) + [0])
            if let contents = FileManager.default.contents(atPath: argument) { hash.add(Array(contents)) }
        }
        let hashes = try group.allGather([Int64(bitPattern: hash.value)], counts: Array(repeating: 1, count: group.size))
        if let differing = hashes.firstIndex(where: { $0 != hashes[0] }) {
            throw ProcessGroupError.ranksDisagree(
                "rank \(differing) was started with another command line or recipe than rank 0 "
                    + "(they must run the same recipe with the same files and params)")
        }
    }
}

/// 64-bit FNV-1a: a fingerprint to compare, not a security hash.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }
}
