import Foundation
import XCTest
@testable import GirdRecipe

/// `exists`, `read_json`, `write_json`: what a recipe writes it reads back
/// unchanged (types, field order on write, floats exactly), and bad input
/// gets a named error.
final class JSONBuiltinTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "gird-json-\(UUID().uuidString)"
    }

    /// The error's message line (the source excerpt under it is tested elsewhere).
    private func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" })
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testWriteKeepsFieldOrderAndFloatsAndReadsBackTheSameValues() throws {
        let path = folder + "/deeper/run.json"
        _ = try runRecipe("""
            write_json({name: "gird s0", top1: 0.8952, epochs: 20, ok: true, lr: 1.0, missing: none,
                        history: [{epoch: 0, loss: 13.366735385943063}], note: "a \\"quote\\"\\n"}, "\(path)")
            """)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), """
            {"name": "gird s0", "top1": 0.8952, "epochs": 20, "ok": true, "lr": 1.0, "missing": null, \
            "history": [{"epoch": 0, "loss": 13.366735385943063}], "note": "a \\"quote\\"\\n"}

            """)
        // Read back: the same fields in the same order, every value of its own
        // type, floats bit-exact (Foundation's parser would read this loss as ...064).
        XCTAssertEqual(evaluate("read_json(\"\(path)\")"), """
            {name: "gird s0", top1: 0.8952, epochs: 20, ok: true, lr: 1.0, missing: none, \
            history: [{epoch: 0, loss: 13.366735385943063}], note: "a \\"quote\\"\\n"}
            """)
        XCTAssertEqual(evaluate("let r = read_json(\"\(path)\")\n[type(r.epochs), type(r.lr), type(r.ok), r.history[0].loss == 13.366735385943063]"),
                       "[\"int\", \"float\", \"bool\", true]")
    }

    func testExists() throws {
        XCTAssertEqual(evaluate("exists(\"\(folder)/a.json\")"), "false")
        _ = try runRecipe("write_json([1, 2.5], \"\(folder)/a.json\")")
        XCTAssertEqual(evaluate("[exists(\"\(folder)/a.json\"), exists(\"\(folder)\"), read_json(\"\(folder)/a.json\")]"),
                       "[true, true, [1, 2.5]]")
    }

    func testWhatJSONCannotHoldIsRefusedWithItsPlace() {
        XCTAssertEqual(firstLine(errorText("write_json({a: [1, zeros([2])]}, \"\(folder)/x.json\")")),
                       "<-e>:1:1: error: write_json(): the value.a[1] is a tensor, which JSON cannot hold")
        XCTAssertEqual(firstLine(errorText("write_json({x: float(\"nan\")}, \"\(folder)/x.json\")")),
                       "<-e>:1:1: error: write_json(): the value.x is nan, which JSON cannot hold")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/x.json"), "nothing is written after a refusal")
    }

    func testUnreadableAndMalformedFilesAreNamedWithTheOffset() throws {
        XCTAssertEqual(firstLine(errorText("read_json(\"\(folder)/none.json\")")),
                       "<-e>:1:1: error: read_json(): \(folder)/none.json: cannot open: No such file or directory")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cases: [(String, String)] = [
            ("{\"a\": [1, 2", "offset 11: invalid JSON: expected ',' or ']', found the end"),
            ("{\"a\": 1, \"a\": 2}", "offset 9: invalid JSON: duplicate key \"a\""),
            ("[1.]", "offset 1: invalid JSON: a number needs digits after '.'"),
            ("[1e999]", "offset 1: the number 1e999 is out of range"),
            ("[1] x", "offset 4: invalid JSON: unexpected 'x' after the JSON value"),
            ("", "offset 0: invalid JSON: expected a value, found the end"),
            (String(repeating: "[", count: 100_000), "offset 64: invalid JSON: nested more than 64 levels deep"),
        ]
        for (text, message) in cases {
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/bad.json"))
            XCTAssertEqual(firstLine(errorText("read_json(\"\(folder)/bad.json\")")),
                           "<-e>:1:1: error: read_json(): \(folder)/bad.json: \(message)", text)
        }
        // Escapes, surrogate pairs and big integers read as written.
        try Data(#"{"s": "\u00e9\ud83d\ude00\t", "i": -9007199254740993, "f": -0.5e-3}"#.utf8)
            .write(to: URL(fileURLWithPath: folder + "/ok.json"))
        XCTAssertEqual(evaluate("read_json(\"\(folder)/ok.json\")"), "{s: \"é😀\\t\", i: -9007199254740993, f: -0.0005}")
    }

    func testADryRunWritesNothing() throws {
        let result = runCommandLine(["--dry-run", "-e", "write_json({a: 1}, \"\(folder)/dry.json\")"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/dry.json"))
    }
}
