/// Stopping a long computation between native kernels: a caller that wants
/// Ctrl-C to reach into a forward pass or an evaluation runs it inside
/// `whileRunning(stopWhen:)`, and the ops that start a kernel (convolution,
/// matrix product) ask first. A kernel already running is never cut short.
///
/// Off unless a caller turns it on: a training loop has its own safe point
/// between steps, where it can write a checkpoint, and must not be stopped
/// half way through a step.
public enum Cancellation {
    nonisolated(unsafe) private static var shouldStop: (() -> Bool)?

    /// Runs `body` with `stopWhen` asked before each kernel; the previous
    /// setting is restored afterwards (calls nest).
    public static func whileRunning<T>(stopWhen: @escaping () -> Bool, _ body: () throws -> T) rethrows -> T {
        let saved = shouldStop
        shouldStop = stopWhen
        defer { shouldStop = saved }
        return try body()
    }

    /// Throws `ComputationCancelled` when the running caller asked to stop.
    @inline(__always)
    public static func checkpoint() throws {
        if let shouldStop, shouldStop() { throw ComputationCancelled() }
    }
}

/// Thrown by an op when the computation it belongs to was cancelled.
public struct ComputationCancelled: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "computation cancelled" }
}
