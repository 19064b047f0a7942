import Foundation

/// The first error of each worker of a parallel loop, by position, so that
/// the one reported does not depend on which thread got there first.
final class FailureSlots: @unchecked Sendable {
    private var slots: [(position: Int, error: Error)?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func record(_ error: Error, at position: Int, worker: Int) {
        lock.lock()
        slots[worker] = (position, error)
        lock.unlock()
    }

    var first: Error? { slots.compactMap { $0 }.min { $0.position < $1.position }?.error }
}
