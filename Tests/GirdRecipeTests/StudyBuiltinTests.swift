import Foundation
import XCTest
@testable import GirdRecipe

/// What a long study needs from the language: a validation split carved
/// from a training set (`d.split`), runs that are not repeated
/// (`reuse: true`), and writing its report and figure (`write_file`, `plot`).
final class StudyBuiltinTests: XCTestCase {
    var folder = ""

    override func setUp() {
        folder = NSTemporaryDirectory() + "gird-study-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testSplitGivesTheSubsetAndTheRestDisjoint() {
        // 1000 test images, stratified 100 per class in Fashion-MNIST's test set.
        let code = """
            let d = fashion_mnist(split: "test").subset(1000, seed: 3)
            let parts = d.split(300, seed: 7)
            let same = d.subset(300, seed: 7)
            let a = parts[0].batch(range(300), normalized: false).images
            let b = same.batch(range(300), normalized: false).images
            # Every image of the rest differs from every image of the first part:
            # compare pixel sums as a fingerprint (no two Fashion-MNIST test images share one here).
            let firsts = parts[0].batch(range(300), normalized: false).images.sum(dim: 3).sum(dim: 2).sum(dim: 1).tolist()
            let rests = parts[1].batch(range(700), normalized: false).images.sum(dim: 3).sum(dim: 2).sum(dim: 1).tolist()
            var shared = 0
            for x in rests { for y in firsts { if x == y { shared = shared + 1 } } }
            let labels = parts[1].batch(range(700)).labels.tolist()
            var sixes = 0
            for l in labels { if l == 6 { sixes = sixes + 1 } }
            [len(parts[0]), len(parts[1]), (a - b).abs().max().item(), shared, sixes]
            """
        XCTAssertEqual(evaluate(code), "[300, 700, 0.0, 0, 70]")
        XCTAssertEqual(errorText("fashion_mnist(split: \"test\").split(10001)").components(separatedBy: "\n")[0],
                       "<-e>:1:1: error: Fashion-MNIST (test): cannot take a subset of 10001 images from 10000")
    }

    private func distillCode(epochs: Int, reuse: Bool = true) -> String {
        """
        let data = fashion_mnist().subset(64, seed: 1)
        let test = fashion_mnist(split: "test").subset(32, seed: 1)
        seed(5)
        let teacher = model("resnet8", classes: 10, in_channels: 1)
        seed(6)
        let student = model("resnet8", classes: 10, in_channels: 1)
        let run = distill(teacher: teacher, student: student, data: data, test: test, losses: [ce(), kd()],
                          epochs: \(epochs), batch_size: 16, seed: 2, out: "\(folder)", reuse: \(reuse))
        [run.final_top1, len(run.history), fmt(evaluate(student, test).top1, 6)]
        """
    }

    /// A finished run is read back (result and weights) without training;
    /// an interrupted one continues; another run in the folder is refused.
    func testReuseSkipsAFinishedRunAndRefusesAnotherOne() throws {
        let first = try runRecipe(distillCode(epochs: 2)).value.repr
        let metrics = try Data(contentsOf: URL(fileURLWithPath: folder + "/metrics.jsonl"))
        let second = try runRecipe(distillCode(epochs: 2)).value.repr
        XCTAssertEqual(second, first)
        // Nothing was trained again: the metrics file is the same, epoch times included.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder + "/metrics.jsonl")), metrics)
        XCTAssertEqual(errorText(distillCode(epochs: 3)).components(separatedBy: "\n")[0],
                       "<-e>:7:11: error: distill(): \(folder) holds a different run (run.json differs in: epochs); give another out: or delete that folder")
        // Without reuse the folder is trained over, as before.
        XCTAssertEqual(try runRecipe(distillCode(epochs: 2, reuse: false)).value.repr, first)
    }

    func testReuseNeedsOut() {
        XCTAssertEqual(errorText("train(model(\"resnet8\", classes: 10, in_channels: 1), fashion_mnist().subset(8), epochs: 1, reuse: true)")
                        .components(separatedBy: "\n")[0],
                       "<-e>:1:1: error: train(): reuse: true needs out:, the run directory to reuse")
    }

    func testWriteFileCreatesFoldersAndDryRunWritesNothing() throws {
        let path = folder + "/docs/report.md"
        _ = try runRecipe("write_file(\"\(path)\", \"# Results\\n\")")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "# Results\n")
        let other = folder + "/dry/report.md"
        let result = runCommandLine(["--dry-run", "-e", "write_file(\"\(other)\", \"x\")"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: other))
    }

    func testPlotWritesAPNGAndNamesBadSeries() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/bank.png"
        _ = try runRecipe("""
            plot("\(path)", [0, 1024], [{name: "GIRD", y: [80, 81.5], err: [0.2, 0.3]}],
                 lines: [{name: "KD", y: 79.5}], title: "t", x_label: "K", y_label: "top-1")
            """)
        let header = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8)
        XCTAssertEqual(Array(header), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(errorText("plot(\"\(path)\", [0, 1], [{name: \"a\", y: [1]}])").components(separatedBy: "\n")[0],
                       "<-e>:1:1: error: cannot write \(path): series \"a\" has 1 values for 2 x positions")
        XCTAssertEqual(errorText("plot(\"\(path)\", [0], [{name: \"a\"}])").components(separatedBy: "\n")[0],
                       "<-e>:1:1: error: plot(): series[0] has no field y (a list of numbers)")
        XCTAssertEqual(errorText("plot(\"\(path)\", [0], [3])").components(separatedBy: "\n")[0],
                       "<-e>:1:1: error: plot(): series[0] must be a record ({name, y, err}), got a int")
    }
}
