import XCTest
@testable import GirdDistill

final class MethodCatalogTests: XCTestCase {
    func testDefaultsAreThePublishedOnes() throws {
        let kd = try XCTUnwrap(try MethodCatalog.entry(named: "kd").make() as? KnowledgeDistillation)
        XCTAssertEqual(kd.temperature, 4)
        let warm = try XCTUnwrap(try MethodCatalog.entry(named: "kd").make(["T": .number(2)]) as? KnowledgeDistillation)
        XCTAssertEqual(warm.temperature, 2)
    }

    func testGIRDTakesTheSpecsRecipeNames() throws {
        XCTAssertEqual(try MethodCatalog.entry(named: "gird").parameters.map(\.name),
                       ["taps", "student_taps", "teacher_taps", "bank", "tau", "pool", "sim_loss", "evo_loss", "evo_pairs",
                        "beta", "gamma"])
        let gird = try XCTUnwrap(try MethodCatalog.entry(named: "gird").make([
            "bank": .number(16384), "pool": .string("avg(2)"), "evo_pairs": .string("all"), "gamma": .number(0),
            "taps": .strings(["stage2", "stage3"])]) as? GIRD)
        XCTAssertEqual(gird.configuration.bankSize, 16384)
        XCTAssertEqual(gird.configuration.pool, .adaptiveAverage(2))
        XCTAssertEqual(gird.configuration.evolutionPairs, .all)
        XCTAssertEqual(gird.configuration.evolutionWeight, 0)
        XCTAssertEqual(gird.configuration.studentTaps, ["stage2", "stage3"])
        XCTAssertEqual(gird.configuration.teacherTaps, ["stage2", "stage3"])
        XCTAssertThrowsError(try MethodCatalog.entry(named: "gird").make(["sim_loss": .string("l2")])) { error in
            XCTAssertEqual("\(error)", "gird: unknown sim_loss 'l2'; expected \"kl\" or \"mse\"")
        }
        XCTAssertThrowsError(try MethodCatalog.entry(named: "gird").make(["bank": .number(-1)])) { error in
            XCTAssertEqual("\(error)", "gird: the bank size K must be zero or more, got -1")
        }
        XCTAssertThrowsError(try MethodCatalog.entry(named: "gird").make(["taps": .strings(["stage3"])])) { error in
            XCTAssertTrue("\(error)".hasPrefix("gird: "), "\(error)")
        }
        XCTAssertEqual(MethodCatalog.names, ["ce", "kd", "gird", "fitnet", "at", "sp", "cc", "vid", "rkd", "pkt", "crd", "dkd",
                                             "reviewkd", "irg", "triplet"])
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
