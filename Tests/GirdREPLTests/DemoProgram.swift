import Foundation
import XCTest

/// The `gird-line-demo` fixture, found beside the test bundle in the build
/// folder, and a private HOME for each test (history, ~/.editrc).
struct DemoProgram {
    static var executable: String? {
        let name = "gird-line-demo"
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

    let home: URL

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("gird-repl-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: home) }

    var environment: [String: String] {
        ["HOME": home.path, "TERM": "xterm", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"]
    }

    var historyPath: String { home.appendingPathComponent(".gird_history").path }

    func startOnTerminal(file: StaticString = #filePath, line: UInt = #line) throws -> PseudoTerminal {
        let executable = try XCTUnwrap(DemoProgram.executable, "gird-line-demo is not built", file: file, line: line)
        return try PseudoTerminal(executable: executable, environment: environment)
    }
}
