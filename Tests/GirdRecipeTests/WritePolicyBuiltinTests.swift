import Foundation
import XCTest
@testable import GirdRecipe

/// Writes stay under the current directory unless `--allow-write` allows
/// more (issue 15): one rule, `WritePolicy`, that every writing builtin asks.
final class WritePolicyBuiltinTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        // Resolved, as the policy resolves it (/tmp may itself be a link).
        folder = WritePolicy.resolve(NSTemporaryDirectory() + "gird-write-\(UUID().uuidString)", from: "/")
        try FileManager.default.createDirectory(atPath: folder + "/root/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/outside", withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func refusal(_ builtin: String, _ path: String, extra: Bool = false) -> String {
        let allowed = extra ? "the current directory and the folders given to --allow-write" : "the current directory"
        return "\(builtin)(): refusing to write '\(path)': it is outside \(allowed); run gird-repl with --allow-write DIR to allow it"
    }

    private func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch let failure as BuiltinFailure { return failure.message } catch { return "\(error)" }
    }

    func testPathsUnderTheRootAreAllowedAndOthersRefused() throws {
        let policy = WritePolicy(currentDirectory: folder + "/root")
        XCTAssertEqual(message { try policy.check(folder + "/root/a.txt", builtin: "write_file") }, "")
        XCTAssertEqual(message { try policy.check(folder + "/root/new/deeper/a.txt", builtin: "write_file") }, "")
        XCTAssertEqual(message { try policy.check(folder + "/root/sub/../a.txt", builtin: "write_file") }, "")
        XCTAssertEqual(message { try policy.check(folder + "/root/sub/../../a.txt", builtin: "save_npy") },
                       refusal("save_npy", folder + "/root/sub/../../a.txt"))
        XCTAssertEqual(message { try policy.check("/etc/passwd", builtin: "write_file") }, refusal("write_file", "/etc/passwd"))
        // A sibling whose name starts like the root is not under it.
        XCTAssertEqual(message { try policy.check(folder + "/rootless/a.txt", builtin: "plot") }, refusal("plot", folder + "/rootless/a.txt"))
    }

    func testASymbolicLinkCannotLeadOut() throws {
        let policy = WritePolicy(currentDirectory: folder + "/root")
        try FileManager.default.createSymbolicLink(atPath: folder + "/root/link", withDestinationPath: folder + "/outside")
        try FileManager.default.createSymbolicLink(atPath: folder + "/root/relative", withDestinationPath: "../outside")
        try FileManager.default.createSymbolicLink(atPath: folder + "/root/dangling", withDestinationPath: folder + "/outside/new.txt")
        try FileManager.default.createSymbolicLink(atPath: folder + "/root/inside", withDestinationPath: "sub")
        for path in ["link/a.txt", "relative/a.txt", "dangling", "new/../link/a.txt", "sub/../link/x"] {
            XCTAssertEqual(message { try policy.check(folder + "/root/" + path, builtin: "heatmap") }, refusal("heatmap", folder + "/root/" + path), path)
        }
        XCTAssertEqual(message { try policy.check(folder + "/root/inside/a.txt", builtin: "heatmap") }, "")
        // `inside/..` is the parent of the link's target (root), as the kernel has it.
        XCTAssertEqual(message { try policy.check(folder + "/root/inside/../a.txt", builtin: "heatmap") }, "")
    }

    func testAllowWriteAddsFolders() throws {
        let policy = WritePolicy(currentDirectory: folder + "/root", allowing: [folder + "/outside"])
        XCTAssertEqual(message { try policy.check(folder + "/outside/a.txt", builtin: "write_file") }, "")
        XCTAssertEqual(message { try policy.check(folder + "/a.txt", builtin: "write_file") },
                       refusal("write_file", folder + "/a.txt", extra: true))
    }

    func testEveryWritingBuiltinAsksThePolicy() throws {
        let calls = [
            ("write_file", "write_file(\"../escape.txt\", \"x\")"),
            ("save_npy", "save_npy(zeros([2]), \"../escape.npy\")"),
            ("save_weights", "save_weights(model(\"resnet8\", classes: 10), \"../escape.safetensors\")"),
            ("heatmap", "heatmap(zeros([2, 2]), \"../escape.png\")"),
            ("plot", "plot(\"../escape.png\", [0], [{name: \"a\", y: [1]}])"),
        ]
        for (builtin, code) in calls {
            for dryRun in [false, true] {
                let text: String
                do {
                    _ = try runRecipe(code) { options in
                        options.writePolicy = WritePolicy()
                        options.dryRun = dryRun
                    }
                    text = ""
                } catch let error as RecipeError {
                    text = error.description.components(separatedBy: "\n")[0]
                }
                let path = code.components(separatedBy: "\"").first { $0.hasPrefix("../") } ?? ""
                XCTAssertEqual(text, "<-e>:1:1: error: " + refusal(builtin, path), "\(code), dry run \(dryRun)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "../escape.txt"))
    }

    func testTheCommandLineRefusesAndAllowWriteAllows() throws {
        let outside = folder + "/outside/report.md"
        let refused = runCommandLine(["-e", "write_file(\"\(outside)\", \"x\")"], allowingTemporaryFiles: false)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.errors.components(separatedBy: "\n")[0], "<-e>:1:1: error: " + refusal("write_file", outside))
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
        let allowed = runCommandLine(["--allow-write", folder + "/outside", "-e", "write_file(\"\(outside)\", \"x\")"],
                                     allowingTemporaryFiles: false)
        XCTAssertEqual(allowed.status, 0, allowed.errors)
        XCTAssertEqual(try String(contentsOfFile: outside, encoding: .utf8), "x")
        let equals = runCommandLine(["--allow-write=\(folder)/root", "-e", "write_file(\"\(folder)/root/r.md\", \"y\")"],
                                    allowingTemporaryFiles: false)
        XCTAssertEqual(equals.status, 0, equals.errors)
        XCTAssertEqual(runCommandLine(["--allow-write"]).errors, "gird-repl: --allow-write needs a value\n")
        XCTAssertEqual(runCommandLine(["--allow-write=", "-e", "1"]).errors, "gird-repl: --allow-write needs a folder, e.g. --allow-write /tmp/results\n")
        XCTAssertTrue(runCommandLine(["--help"]).output.contains("  --allow-write DIR  let the recipe write under DIR too (repeatable); by\n"))
    }
}
