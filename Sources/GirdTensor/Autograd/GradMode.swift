/// Whether ops record themselves on the tape. Off inside `withoutGradient`
/// (frozen teachers, evaluation) and while a backward pass runs. A task-local
/// value, so that it is per thread outside tasks and cannot leak between a
/// training step and a loader thread.
public enum GradMode {
    @TaskLocal static var isEnabled = true

    /// Runs `body` with recording off: results are constants, cheaper to make
    /// and holding no references to their inputs.
    public static func withoutGradient<T>(_ body: () throws -> T) rethrows -> T {
        try $isEnabled.withValue(false) { try body() }
    }

    public static var isRecording: Bool { isEnabled }
}
