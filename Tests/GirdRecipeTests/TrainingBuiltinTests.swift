import Foundation
import XCTest
@testable import GirdRecipe

/// Loss terms, `train`, `distill`, `resume` and the functional losses as a
/// recipe sees them.
final class TrainingBuiltinTests: XCTestCase {
    func testLossTermsTakeTheCatalogsParameters() {
        XCTAssertEqual(evaluate("kd(T: 2, weight: 0.5)"), "<loss term kd(T: 2), weight 0.5>")
        XCTAssertEqual(evaluate("gird(bank: 16384, pool: \"avg(2)\").bank"), "16384")
        XCTAssertEqual(evaluate("gird().tau"), "0.1")
        XCTAssertEqual(evaluate("len(methods())"), "15")
        XCTAssertEqual(evaluate("method_info(\"crd\").weight"), "0.8")
        XCTAssertEqual(evaluate("method_info(\"sp\").params"), "{student_taps: none, teacher_taps: none}")
        XCTAssertEqual(errorText("kd(t: 2)"), """
            <-e>:1:4: error: kd() has no parameter 't'; did you mean 'T'?
                kd(t: 2)
                   ^

            """)
        XCTAssertEqual(errorText("gird(bank: -1)"), """
            <-e>:1:1: error: gird: the bank size K must be zero or more, got -1
                gird(bank: -1)
                ^~~~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("gird(sim_loss: \"l1\")"), """
            <-e>:1:1: error: gird: unknown sim_loss 'l1'; expected "kl" or "mse"
                gird(sim_loss: "l1")
                ^~~~~~~~~~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("term(\"kdd\")"), """
            <-e>:1:1: error: unknown distillation method 'kdd'; did you mean 'kd'?
                term("kdd")
                ^~~~~~~~~~~

            """)
    }

    /// KD of logits (0, 0) against (log 3, 0) at T = 1: 3/4 log(3/2) + 1/4 log(1/2).
    func testKDLossByHand() {
        XCTAssertEqual(evaluate("fmt(kd_loss(tensor([[0.0, 0.0]]), tensor([[log(3.0), 0.0]]), T: 1).item(), 6)"),
                       "\"\(String(format: "%.6f", 0.75 * log(1.5) + 0.25 * log(0.5)))\"")
    }

    func testGIRDFunctionalForms() {
        XCTAssertEqual(evaluate("gird_relation(tensor([[1.0, 0.0], [0.0, 1.0]]), tensor([[0.6, 0.8]]))"),
                       "tensor([[1.0, 0.0, 0.6000000238418579], [0.0, 1.0, 0.800000011920929]])")
        XCTAssertEqual(evaluate("""
            seed(1)
            let r = gird_loss(student: [randn([3, 4, 2, 2]), randn([3, 8, 1, 1])], teacher: [randn([3, 4, 2, 2]), randn([3, 6, 1, 1])],
                              evo_pairs: "all")
            [len(r.sim), len(r.evo), (r.total - r.sim[0] - r.sim[1] - r.evo[0]).abs().item() < 1e-5]
            """), "[2, 1, true]")
    }

    /// A two-epoch distillation on a few Fashion-MNIST images: the run
    /// directory holds what a rerun needs, and `resume` of a finished run
    /// gives the same record.
    func testDistillWritesARunDirectoryAndResumes() throws {
        let folder = NSTemporaryDirectory() + "gird-distill-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let code = """
            param epochs = 2
            let data = fashion_mnist().subset(64, seed: 1)
            let test = fashion_mnist(split: "test").subset(32, seed: 1)
            let run = distill(teacher: model("resnet8", classes: 10, in_channels: 1),
                              student: model("resnet8", classes: 10, in_channels: 1),
                              data: data, test: test, losses: [ce(), kd(weight: 0.5), gird(bank: 48)],
                              epochs: epochs, batch_size: 16, schedule: "cosine", seed: 4, out: "\(folder)")
            let again = resume("\(folder)")
            [len(run.history), run.final_top1 == again.final_top1, run.dir]
            """
        XCTAssertEqual(evaluate(code), "[2, true, \"\(folder)\"]")
        for file in ["run.json", "params.json", "command.txt", "recipe/inline.recipe", "teacher.safetensors", "checkpoint.safetensors",
                     "metrics.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + file), file)
        }
        let params = try String(contentsOfFile: folder + "/params.json", encoding: .utf8)
        XCTAssertEqual(params, "{\n  \"epochs\": 2\n}\n")
    }

    func testDryRunChecksWithoutTraining() throws {
        let folder = NSTemporaryDirectory() + "gird-dry-\(UUID().uuidString)"
        let code = """
            let data = fashion_mnist().subset(16, seed: 1)
            distill(teacher: model("resnet20", classes: 10, in_channels: 1), student: model("resnet8", classes: 10, in_channels: 1),
                    data: data, losses: [ce(), gird(taps: ["stage1", "stage4"])], epochs: 1, out: "\(folder)")
            """
        let result = runCommandLine(["--dry-run", "-e", code])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("resnet8 has no tap 'stage4'"), result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
    }
}
