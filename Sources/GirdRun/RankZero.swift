import Foundation
import GirdTensor

/// Decisions and writes that rank 0 makes for every rank of a data-parallel
/// run (whether to reuse a directory, writing `run.json`): the others wait
/// for its answer, so that all of them go on the same way, and all of them
/// fail with its message when it fails.
enum RankZero {
    static func decide<T: Codable>(in group: ProcessGroup, _ body: () throws -> T) throws -> T {
        guard group.isDistributed else { return try body() }
        var payload: [UInt8] = []
        var failure: Error?
        if group.rank == 0 {
            do {
                payload = [1] + Array(try JSONEncoder().encode([try body()]))
            } catch {
                failure = error
                payload = [0] + Array("\(error)".utf8)
            }
        }
        let received = try group.broadcast(payload, from: 0)
        if let failure { throw failure }
        guard received.first == 1 else {
            throw RunError.failedOnRankZero(message: String(decoding: received.dropFirst(), as: UTF8.self))
        }
        return try JSONDecoder().decode([T].self, from: Data(received.dropFirst()))[0]
    }

    /// Runs `body` (writes) on rank 0 only; every rank learns whether it failed.
    static func write(in group: ProcessGroup, _ body: () throws -> Void) throws {
        _ = try decide(in: group) { () throws -> Bool in try body(); return true }
    }
}
