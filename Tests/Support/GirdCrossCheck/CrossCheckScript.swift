import Foundation

/// A script of `scripts/` run with the `python3` on PATH, for the tests that
/// read the engine's files back with another implementation (onnxruntime,
/// TensorBoard's reader). A missing module is a failure that says how to
/// install it, never a skip.
public enum CrossCheckScript {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The script's standard output; throws with its standard error when it fails.
    public static func run(_ script: String, arguments: [String], needs modules: String) throws -> Data {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/\(script)").path] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Standard error is small (a warning, a traceback); standard output is read first.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let hint = message.contains("No module named") ? " (python3 lacks \(modules): run scripts/install-cross-check-tools)" : ""
            throw Failure(description: "\(script) failed\(hint): \(message)")
        }
        return data
    }
}
