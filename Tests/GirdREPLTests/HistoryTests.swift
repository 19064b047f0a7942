import Foundation
import XCTest
@testable import GirdREPL

final class HistoryTests: XCTestCase {
    var path: String!

    override func setUp() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("gird-history-\(UUID().uuidString)").path
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    func testDeduplicatesBoundsAndPersists() throws {
        let history = History(path: path, limit: 3)
        for entry in ["a", "b", "a", "  ", "c", "d"] { history.add(entry) }
        // "a" moved to the end when re-entered, blank ignored, then the oldest dropped.
        XCTAssertEqual(history.entries, ["a", "c", "d"])
        try history.save()
        XCTAssertEqual(History(path: path, limit: 3).entries, ["a", "c", "d"])
    }

    func testMultiLineEntriesAreOneLineInTheFile() throws {
        let history = History(path: path)
        history.add("fn f(x) {\n  x \\ 2\n}\n")
        try history.save()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "fn f(x) {\\n  x \\\\ 2\\n}\n")
        XCTAssertEqual(History(path: path).entries, ["fn f(x) {\n  x \\ 2\n}"])
    }

    func testSavingMergesWithAnotherSession() throws {
        let first = History(path: path), second = History(path: path)
        first.add("from first")
        second.add("from second")
        second.add("shared")
        first.add("shared")
        try second.save()
        try first.save()
        XCTAssertEqual(History(path: path).entries, ["from second", "from first", "shared"])
    }

    func testAMissingFileIsAnEmptyHistoryAndAnUnwritableOneAnError() {
        XCTAssertEqual(History(path: path).entries, [])
        let history = History(path: "/nonexistent-folder/h")
        history.add("x")
        XCTAssertThrowsError(try history.save()) {
            XCTAssertTrue("\($0)".hasPrefix("cannot save the history to /nonexistent-folder/h: "), "\($0)")
        }
    }

    func testDefaultPath() {
        XCTAssertEqual(History.defaultPath(environment: ["HOME": "/home/ada"]), "/home/ada/.gird_history")
        XCTAssertNotNil(History.defaultPath(environment: [:]))  // from the password database
    }
}
