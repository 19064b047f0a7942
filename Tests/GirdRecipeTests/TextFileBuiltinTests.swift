import Foundation
import XCTest
@testable import GirdRecipe

/// `read_file` and report.recipe's `write_section`: a recipe rewrites its
/// own section of a report and keeps everything else in the file, byte for
/// byte; bad input gets a named error.
final class TextFileBuiltinTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "gird-text-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" })
    }

    private func contents(_ name: String) throws -> String {
        try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
    }

    func testReadFileGivesTheTextAsWritten() throws {
        let text = "# Résumé\n\n| a | b |\r\nno newline at the end"
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/t.md"))
        XCTAssertEqual(evaluate("read_file(\"\(folder)/t.md\") == \(Value.string(text).repr)"), "true")
        XCTAssertEqual(evaluate("len(read_file(\"\(folder)/t.md\"))"), String(text.count))
        try Data().write(to: URL(fileURLWithPath: folder + "/empty"))
        XCTAssertEqual(evaluate("read_file(\"\(folder)/empty\")"), "\"\"")
    }

    func testReadFileNamesWhatIsWrong() throws {
        try Data([0x61, 0x62, 0xC3, 0xA9, 0xE2, 0x82, 0x28]).write(to: URL(fileURLWithPath: folder + "/latin"))
        let cases: [(String, String)] = [
            ("\(folder)/none.md", "\(folder)/none.md: cannot open: No such file or directory"),
            (folder, "\(folder): cannot read: Is a directory"),
            ("/dev/zero", "/dev/zero: cannot read: not a regular file"),
            // "ab", an é (2 bytes), then a 3-byte sequence cut short at offset 4.
            ("\(folder)/latin", "\(folder)/latin: offset 4: not UTF-8 text (byte 0xE2)"),
        ]
        for (path, message) in cases {
            XCTAssertEqual(firstLine(errorText("read_file(\"\(path)\")")), "<-e>:1:1: error: read_file(): \(message)", path)
        }
        // A file over the limit is refused before it is read into memory (a
        // sparse file: its size costs no disk).
        let big = folder + "/big"
        XCTAssertTrue(FileManager.default.createFile(atPath: big, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: big))
        try handle.truncate(atOffset: UInt64(BuiltinRegistry.textFileLimit + 1))
        try handle.close()
        XCTAssertEqual(firstLine(errorText("read_file(\"\(big)\")")),
                       "<-e>:1:1: error: read_file(): \(big): the file is 67108865 bytes; a text file is read only up to 67108864 bytes")
    }

    func testWriteSectionReplacesItsOwnSectionAndKeepsTheRest() throws {
        let path = folder + "/sub/report.md"
        _ = try runRecipe("""
            import "report.recipe"
            write_section("\(path)", "part 1", "# Results\\n\\nfirst")
            """)
        XCTAssertEqual(try contents("sub/report.md"), "<!-- part 1: begin -->\n# Results\n\nfirst\n<!-- part 1: end -->\n")
        // Text written by hand after it, then a second section at the end.
        let handWritten = try contents("sub/report.md") + "\n## By hand\n\nkept ✓\n"
        try Data(handWritten.utf8).write(to: URL(fileURLWithPath: path))
        _ = try runRecipe("import \"report.recipe\"\nwrite_section(\"\(path)\", \"part 2\", \"## Part 2\")")
        _ = try runRecipe("import \"report.recipe\"\nwrite_section(\"\(path)\", \"part 1\", \"# Results\\n\\nsecond\\nrun\")")
        XCTAssertEqual(try contents("sub/report.md"), """
            <!-- part 1: begin -->
            # Results

            second
            run
            <!-- part 1: end -->

            ## By hand

            kept ✓

            <!-- part 2: begin -->
            ## Part 2
            <!-- part 2: end -->

            """)
    }

    func testWriteSectionRefusesABrokenSectionAndWritesNothing() throws {
        let cases: [(String, String)] = [
            ("a\n<!-- s: begin -->\nx\n", "has the line <!-- s: begin --> but not one line <!-- s: end --> after it"),
            ("<!-- s: begin -->\n<!-- s: end -->\n<!-- s: begin -->\n<!-- s: end -->\n", "has the line <!-- s: begin --> 2 times; keep one"),
        ]
        for (text, message) in cases {
            let path = folder + "/broken.md"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let error = errorText("import \"report.recipe\"\nwrite_section(\"\(path)\", \"s\", \"new\")")
            XCTAssertTrue(firstLine(error).hasSuffix("error: assertion failed: \(path) \(message)"), error)
            XCTAssertEqual(try contents("broken.md"), text, "the file is left as it was")
        }
    }
}
