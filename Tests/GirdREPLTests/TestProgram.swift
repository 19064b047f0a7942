import Foundation
import XCTest

/// An executable built with the tests (`gird-repl`, or the `gird-line-demo`
/// fixture), found beside the test bundle in the build folder, with a
/// private HOME for each test (history, ~/.editrc).
struct TestProgram {
    static func executable(named name: String) -> String? {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folders = [
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            packageRoot.appendingPathComponent(".build/debug"),
        ]
        return folders.map { $0.appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let name: String
    let home: URL
    /// Added to the environment (COLORTERM, say).
    var extraEnvironment: [String: String] = [:]

    init(_ name: String) throws {
        self.name = name
        home = FileManager.default.temporaryDirectory.appendingPathComponent("gird-repl-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: home) }

    var environment: [String: String] {
        ["HOME": home.path, "TERM": "xterm", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"].merging(extraEnvironment) { $1 }
    }

    var historyPath: String { home.appendingPathComponent(".gird_history").path }

    func path(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try XCTUnwrap(TestProgram.executable(named: name), "\(name) is not built", file: file, line: line)
    }

    func startOnTerminal(arguments: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> PseudoTerminal {
        try PseudoTerminal(executable: try path(file: file, line: line), arguments: arguments, environment: environment)
    }

    /// Runs with `input` on a pipe; gives the exit status and both outputs.
    func runOnPipe(_ input: String, arguments: [String] = []) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path())
        process.arguments = arguments
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}
