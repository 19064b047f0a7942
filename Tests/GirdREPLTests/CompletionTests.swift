import Foundation
import XCTest
@testable import GirdREPL

final class CompletionTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gird-completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data/fashion"), withIntermediateDirectories: true)
        for name in ["data/features.npy", "data/.hidden", "notes.txt"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data()))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    var completer: ReplCompleter {
        ReplCompleter(names: { ["print", "train", "teacher", "tensor"] },
                      members: { $0 == "teacher" ? ["features", "params", "taps"] : $0 == "run.history" ? ["last"] : [] },
                      currentDirectory: { self.folder.path })
    }

    func complete(_ line: String) -> Completion {
        completer.completions(line: line, cursor: line.utf8.count)
    }

    func testNamesAndMembers() {
        XCTAssertEqual(complete("x = te"), Completion(replaceFrom: 4, candidates: ["teacher", "tensor"]))
        XCTAssertEqual(complete("teacher.ta"), Completion(replaceFrom: 8, candidates: ["taps"]))
        XCTAssertEqual(complete("f(teacher."), Completion(replaceFrom: 10, candidates: ["features", "params", "taps"]))
        XCTAssertEqual(complete("run.history.l"), Completion(replaceFrom: 12, candidates: ["last"]))
        XCTAssertEqual(complete("print(\"ab\", pr"), Completion(replaceFrom: 12, candidates: ["print"]))
        XCTAssertEqual(complete("(1).fe"), Completion(replaceFrom: 4, candidates: []))
    }

    func testCommandsAtTheStartOfTheLine() {
        XCTAssertEqual(complete(":re"), Completion(replaceFrom: 0, candidates: [":reset"]))
        XCTAssertEqual(complete("  :q"), Completion(replaceFrom: 2, candidates: [":quit"]))
    }

    func testPathsInsideAString() {
        // Directories end with "/"; hidden entries only for a typed ".".
        XCTAssertEqual(complete("x = load_npy(\"da"), Completion(replaceFrom: 14, candidates: ["data/"]))
        XCTAssertEqual(complete("load_npy(\"data/f"), Completion(replaceFrom: 15, candidates: ["fashion/", "features.npy"]))
        XCTAssertEqual(complete("load_npy(\"data/."), Completion(replaceFrom: 15, candidates: [".hidden"]))
        XCTAssertEqual(complete("load_npy(\"\(folder.path)/no"), Completion(replaceFrom: folder.path.utf8.count + 11, candidates: ["notes.txt"]))
        // A closed string is code again; a "#" outside strings starts a comment.
        XCTAssertNil(PathCompletion.openString(in: "f(\"a\") + x", cursor: 10))
        XCTAssertNil(PathCompletion.openString(in: "x # \"da", cursor: 7))
        XCTAssertEqual(PathCompletion.openString(in: "f(\"a\\\"b", cursor: 8), 3)
    }

    func testCommonPrefixAndLayout() {
        XCTAssertEqual(commonPrefix(["features", "feature_maps"]), "feature")
        XCTAssertEqual(CandidateList.layout(["a", "bb", "ccc"], width: 10), "a    bb\nccc")
    }
}
