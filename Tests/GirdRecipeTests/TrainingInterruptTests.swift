import Foundation
import GirdInterrupt
import XCTest
@testable import GirdRecipe

/// Ctrl-C during `train`: the same flag the REPL's handler sets stops the
/// run between steps with a checkpoint, the error says how to resume, and
/// `resume` then gives what the uninterrupted run gives.
final class TrainingInterruptTests: XCTestCase {
    func testAnInterruptedRunResumesToTheSameResult() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gird-interrupt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ out: String) -> String {
            """
            seed(3)
            let data = fashion_mnist(split: "test").subset(48, seed: 1)
            let m = model("resnet8", classes: 10, in_channels: 1)
            train(m, data, epochs: 1, batch_size: 16, out: \(Value.quote(folder.appendingPathComponent(out).path)))
            """
        }
        let whole = try runRecipe(run("whole")).value
        Interrupt.request()
        defer { Interrupt.clear() }
        XCTAssertThrowsError(try runRecipe(run("stopped"))) { error in
            let error = error as? RecipeError
            XCTAssertEqual(error?.isInterrupt, true)
            XCTAssertTrue(error?.message.contains("resume(\(Value.quote(self.path(folder, "stopped"))))") == true, error?.message ?? "")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path(folder, "stopped") + "/checkpoint.safetensors"))
        let resumed = try runRecipe("resume(\(Value.quote(path(folder, "stopped"))))").value
        guard case .record(let a) = whole, case .record(let b) = resumed,
              case .list(let historyA)? = a["history"], case .list(let historyB)? = b["history"],
              case .record(let epochA)? = historyA.first, case .record(let epochB)? = historyB.first else {
            return XCTFail("unexpected \(whole.repr) / \(resumed.repr)")
        }
        XCTAssertEqual(epochA["train_loss"]?.repr, epochB["train_loss"]?.repr)
    }

    private func path(_ folder: URL, _ name: String) -> String { folder.appendingPathComponent(name).path }
}
