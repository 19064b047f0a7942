import Foundation
import XCTest

/// The built `gird-repl` executable itself: exit statuses as a shell sees
/// them, Ctrl-C included.
final class BinaryTests: XCTestCase {
    /// `.build/debug/gird-repl`, built with the tests.
    private var executable: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/gird-repl")
    }

    private func launch(_ arguments: [String], stdin: String? = nil) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            try process.run()
        }
        return (process, output)
    }

    func testExitStatuses() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: executable.path), executable.path)
        for (arguments, status) in [(["-e", "1 + 1"], 0), (["-e", "1 +"], 1), (["-e", "assert false"], 1), (["--nope"], 2)] as [([String], Int32)] {
            let (process, _) = try launch(arguments)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "\(arguments)")
            XCTAssertEqual(process.terminationStatus, status, "\(arguments)")
        }
        let (piped, output) = try launch([], stdin: "print(6 * 7)\n")
        piped.waitUntilExit()
        XCTAssertEqual(piped.terminationStatus, 0)
        XCTAssertEqual(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "42\n")
    }

    func testControlCExitsWith130() throws {
        let (process, _) = try launch(["-e", "var i = 0\nwhile true { i = i + 1 }"])
        Thread.sleep(forTimeInterval: 1.5)
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 130)
    }
}
