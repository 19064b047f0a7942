import Foundation
import XCTest

/// On a pipe: the whole input is one program, no prompt, no escape codes,
/// errors on stderr and a failing exit status.
final class ReplPipeTests: XCTestCase {
    func run(_ input: String) throws -> (status: Int32, output: String, errors: String) {
        let demo = try DemoProgram()
        defer { demo.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(DemoProgram.executable))
        process.environment = demo.environment
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

    func testAProgramOnAPipe() throws {
        let result = try run("x = 1\nx\nhello\nf = {\n  2\n}\n")
        XCTAssertEqual(result.output, "1\necho: hello\necho: f = { |   2 | }\n")
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.status, 0)
        XCTAssertFalse(result.output.contains("\u{1B}"))
        XCTAssertFalse(result.output.contains(">>>"))
    }

    func testErrorsGoToStderrAndStopTheProgram() throws {
        let result = try run("before\nfail\nafter\n")
        XCTAssertEqual(result.output, "echo: before\n")
        XCTAssertEqual(result.errors, "<repl>:1:1: error: demo failure\n    fail\n    ^~~~\n")
        XCTAssertEqual(result.status, 1)
    }
}
