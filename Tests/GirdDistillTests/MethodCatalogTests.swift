import XCTest
@testable import GirdDistill

final class MethodCatalogTests: XCTestCase {
    func testDefaultsAreThePublishedOnes() throws {
        let kd = try XCTUnwrap(try MethodCatalog.entry(named: "kd").make() as? KnowledgeDistillation)
        XCTAssertEqual(kd.temperature, 4)
        let warm = try XCTUnwrap(try MethodCatalog.entry(named: "kd").make(["T": .number(2)]) as? KnowledgeDistillation)
        XCTAssertEqual(warm.temperature, 2)
    }

    func testMisspeltNamesSuggestTheClosest() {
        XCTAssertThrowsError(try MethodCatalog.entry(named: "kdd")) { error in
            XCTAssertEqual("\(error)", "unknown distillation method 'kdd'; did you mean 'kd'?")
        }
        XCTAssertThrowsError(try MethodCatalog.entry(named: "kd").make(["t": .number(2)])) { error in
            XCTAssertEqual("\(error)", "kd: unknown parameter 't'; did you mean 'T'?")
        }
        XCTAssertThrowsError(try MethodCatalog.entry(named: "kd").make(["T": .string("4")])) { error in
            XCTAssertEqual("\(error)", "kd: T must be a number, got \"4\"")
        }
        XCTAssertThrowsError(try MethodCatalog.entry(named: "kd").make(["T": .number(-1)])) { error in
            XCTAssertEqual("\(error)", "kd: temperature T must be a positive number, got -1.0")
        }
    }
}
