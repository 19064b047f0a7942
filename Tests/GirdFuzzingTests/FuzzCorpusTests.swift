import Foundation
import XCTest
@testable import GirdFuzzing

/// Every fuzzing target replays its committed inputs: the seed corpus and
/// `regressions/` (inputs fuzzing found that crashed, hung or leaked, each
/// kept after its fix). Each must end with a result or a thrown error, in
/// under a second; a crash ends the test run, which is the point.
final class FuzzCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    func testEveryTargetHasACorpusAndEveryCorpusATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(Set(folders), Set(FuzzTargets.all.map(\.name)))
        XCTAssertEqual(FuzzTargets.all.count, 13)
        for target in FuzzTargets.all {
            if let dictionary = target.dictionary {
                let path = Self.corpus.deletingLastPathComponent().appendingPathComponent("Dictionaries/\(dictionary)").path
                XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(target.name): \(dictionary)")
            }
        }
    }

    func testEveryTargetReplaysItsInputsQuickly() throws {
        for target in FuzzTargets.all {
            let folder = Self.corpus.appendingPathComponent(target.name)
            let files = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? [])
                .filter { !$0.hasPrefix(".") && !$0.hasSuffix("/") }
                .map { folder.appendingPathComponent($0).path }
                .filter { var isFolder: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder) && !isFolder.boolValue }
            XCTAssertFalse(files.isEmpty, target.name)
            for file in files.sorted() {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
                let start = Date()
                target.run(bytes)
                XCTAssertLessThan(Date().timeIntervalSince(start), 1, "\(target.name): \(file) took over a second")
            }
        }
    }

    /// The seeds are valid inputs (but those named `bad-*`, refused by
    /// design), so that fuzzing starts from deep inside each format.
    func testTheSeedsOfTheFileFormatsAreValid() throws {
        for name in ["safetensors", "npy", "idx", "idx-labels", "png", "jpeg", "run-json", "tensorboard"] {
            let target = try XCTUnwrap(FuzzTargets.named(name))
            let folder = Self.corpus.appendingPathComponent(name)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !file.hasPrefix(".") && !file.hasPrefix("bad-") && file != "regressions" {
                let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(file)))
                XCTAssertNoThrow(try target.body(bytes), "\(name)/\(file)")
            }
        }
    }
}
