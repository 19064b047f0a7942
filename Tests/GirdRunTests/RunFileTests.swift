import Foundation
import XCTest
import GirdData
import GirdDistill
@testable import GirdRun
import GirdTrain

/// `run.json`: what it records, and what it still reads.
final class RunFileTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures/v1-distill"

    func testEveryArgumentOfEveryTermIsRecorded() throws {
        let specification = try RunLauncherTests.specification(losses: [
            LossTermSpecification(name: "ce", weight: 1), LossTermSpecification(name: "kd", weight: 0.9, arguments: ["T": .number(2)]),
            LossTermSpecification(name: "gird", weight: 1, arguments: ["bank": .number(64)])])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(specification)) as? [String: Any]
        let losses = try XCTUnwrap(json?["losses"] as? [[String: Any]])
        let gird = try XCTUnwrap(losses[2]["arguments"] as? [String: Any])
        XCTAssertEqual(gird.keys.sorted(), ["bank", "beta", "evo_loss", "evo_pairs", "gamma", "pool", "sim_loss", "student_taps",
                                            "taps", "tau", "teacher_taps"])
        XCTAssertEqual(gird["bank"] as? Double, 64)
        XCTAssertEqual(gird["tau"] as? Double, 0.1)
        XCTAssertEqual(gird["pool"] as? String, "gap")
        XCTAssertTrue(gird["taps"] is NSNull)
        XCTAssertEqual((losses[0]["arguments"] as? [String: Any])?["label_smoothing"] as? Double, 0)
        XCTAssertEqual(json?["version"] as? Int, 2)
        XCTAssertEqual(json?["schedule"] as? [String: [String: Int]], ["cosine": [:]])
        XCTAssertEqual(try JSONDecoder().decode(RunSpecification.self, from: JSONEncoder().encode(specification)), specification)
    }

    /// A re-ID run: the head, the last stride and P x K sampling are
    /// recorded, read back and rebuilt; a plain run's file has none of them.
    func testReIDSettingsRoundTrip() throws {
        var specification = try RunLauncherTests.specification(losses: [
            LossTermSpecification(name: "ce", weight: 1, arguments: ["label_smoothing": .number(0.1)]),
            LossTermSpecification(name: "triplet", weight: 1)])
        specification.teacher = nil
        specification.student = ModelSpecification(name: "tv_resnet18", classes: 5, inChannels: 3, head: .reid, lastStride: 1)
        specification.instances = 4
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(specification)) as? [String: Any]
        XCTAssertEqual(json?["instances"] as? Int, 4)
        XCTAssertEqual((json?["student"] as? [String: Any])?["head"] as? String, "reid")
        XCTAssertEqual((json?["student"] as? [String: Any])?["lastStride"] as? Int, 1)
        let decoded = try JSONDecoder().decode(RunSpecification.self, from: JSONEncoder().encode(specification))
        XCTAssertEqual(decoded, specification)
        XCTAssertEqual(decoded.configuration(outputDirectory: "x").instancesPerIdentity, 4)
        let network = try decoded.student.make()
        XCTAssertEqual(network.head, .reid)
        XCTAssertEqual(network.lastStride, 1)
        XCTAssertTrue(try decoded.makeObjective(teacher: nil) is Distiller, "terms without a teacher")
        let plain = try JSONSerialization.jsonObject(with: JSONEncoder().encode(RunLauncherTests.specification())) as? [String: Any]
        XCTAssertNil(plain?["instances"])
        XCTAssertNil((plain?["student"] as? [String: Any])?["head"])
    }

    func testArgumentsAreWrittenAsPlainJSON() throws {
        let arguments: [MethodArgument] = [.number(1), .number(0.5), .bool(true), .string("gap"), .strings(["stem"]), .none]
        let json = String(decoding: try JSONEncoder().encode(arguments), as: UTF8.self)
        XCTAssertEqual(json, #"[1,0.5,true,"gap",["stem"],null]"#)
        XCTAssertEqual(try JSONDecoder().decode([MethodArgument].self, from: Data(json.utf8)), arguments)
        // run.json's first format wrote Swift's keyed form.
        let legacy = #"[{"number":{"_0":2}},{"string":{"_0":"kl"}},{"bool":{"_0":false}},{"none":{}}]"#
        XCTAssertEqual(try JSONDecoder().decode([MethodArgument].self, from: Data(legacy.utf8)),
                       [.number(2), .string("kl"), .bool(false), .none])
    }

    /// A run.json of the first format (left-out defaults, augmentations by
    /// name) loads with its arguments completed.
    func testAVersionOneFileLoadsWithItsDefaultsCompleted() throws {
        let file = try RunFile.read(from: Self.fixture)
        let specification = file.specification
        XCTAssertNil(file.environment)
        XCTAssertEqual(specification.losses?.map(\.name), ["ce", "kd", "gird"])
        XCTAssertEqual(specification.losses?[1].arguments, ["T": .number(2)])
        XCTAssertEqual(specification.losses?[2].arguments["bank"], .number(64))
        XCTAssertEqual(specification.losses?[2].arguments["tau"], .number(0.1))
        XCTAssertEqual(specification.losses?[2].arguments["sim_loss"], .string("kl"))
        XCTAssertEqual(specification.augment, [.horizontalFlip(probability: 0.5)])
        XCTAssertEqual(specification.schedule, .cosine)
        XCTAssertEqual(specification.optimizer, .sgd)
        XCTAssertEqual(specification.epochs, 3)
    }

    func testUnreadableFilesAreNamedErrors() throws {
        let directory = NSTemporaryDirectory() + "gird-runfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func error(_ json: String) -> String {
            FileManager.default.createFile(atPath: directory + "/run.json", contents: Data(json.utf8))
            do { _ = try RunFile.read(from: directory); return "no error" } catch { return "\(error)" }
        }
        var stored = try String(contentsOfFile: Self.fixture + "/run.json", encoding: .utf8)
        XCTAssertEqual(error(stored.replacingOccurrences(of: #""version" : 1"#, with: #""version" : 3"#)),
                       "run.json format version 3 is not one this toolkit reads (1 to 2); it was written by another version of GIRD")
        XCTAssertEqual(error(stored.replacingOccurrences(of: #""flip""#, with: #""rotate""#)),
                       "\(directory)/run.json: not a run description: field 'augment': unknown augmentation \"rotate\"")
        stored = stored.replacingOccurrences(of: #""epochs" : 3,"#, with: "")
        XCTAssertEqual(error(stored), "\(directory)/run.json: not a run description: missing field 'epochs'")
        XCTAssertEqual(error("{"), "\(directory)/run.json: not a run description: The given data was not valid JSON.")
        try FileManager.default.removeItem(atPath: directory + "/run.json")
        XCTAssertEqual(error2 { try RunFile.read(from: directory) },
                       "\(directory)/run.json: no such file; resume takes a run directory written by train or distill")
    }

    private func error2(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }
}
