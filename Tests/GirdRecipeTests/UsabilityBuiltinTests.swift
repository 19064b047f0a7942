import XCTest
@testable import GirdRecipe

/// The rough edges a new user hit (issue 15): words matched as PyTorch users
/// type them, `percent` with its sign, a model printed as its layers, and
/// `show` of any sample of a batch.
final class UsabilityBuiltinTests: XCTestCase {
    private func firstLine(_ code: String) -> String {
        errorText(code).components(separatedBy: "\n")[0]
    }

    func testChoicesIgnoreCaseAndSuggestTheClosest() throws {
        XCTAssertEqual(try BuiltinChoice.match("adamw", among: ["sgd", "adam", "adamW"], parameter: "optimizer", builtin: "train"), "adamW")
        XCTAssertEqual(try BuiltinChoice.match("Cosine", among: ["constant", "cosine"], parameter: "schedule", builtin: nil), "cosine")
        XCTAssertThrowsError(try BuiltinChoice.match("adamx", among: ["sgd", "adam", "adamW"], parameter: "optimizer", builtin: nil)) { error in
            XCTAssertEqual((error as? BuiltinFailure)?.message, "optimizer must be \"sgd\", \"adam\" or \"adamW\", got \"adamx\"; did you mean \"adam\"?")
        }
        XCTAssertEqual(evaluate("len(fashion_mnist(split: \"Test\"))"), "10000")
        XCTAssertEqual(evaluate("tensor([1, 2], dtype: \"Int64\").dtype"), "\"int64\"")
        XCTAssertEqual(firstLine("fashion_mnist(split: \"tset\")"),
                       "<-e>:1:1: error: fashion_mnist(): split must be \"train\" or \"test\", got \"tset\"; did you mean \"test\"?")
        XCTAssertEqual(firstLine("cifar100(\"/nonexistent\", labels: \"fien\")"),
                       "<-e>:1:1: error: cifar100(): labels must be \"fine\" or \"coarse\", got \"fien\"; did you mean \"fine\"?")
    }

    func testPercentGivesTextWithItsSign() {
        XCTAssertEqual(evaluate("import \"report.recipe\"\n[percent(0.8688), percent(0.5, digits: 0)]"), "[\"86.88%\", \"50%\"]")
    }

    func testPrintOfAModelListsItsLayers() throws {
        let output = try runRecipe("let m = model(\"resnet8\", classes: 10, in_channels: 1)\nprint(m)\nprint([m])").output
        let lines = output.components(separatedBy: "\n")
        XCTAssertEqual(Array(lines.prefix(6)), [
            "ResNetCIFAR(",
            "  (conv1): Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)",
            "  (bn1): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
            "  (layer1): Sequential(",
            "    (0): BasicBlock(",
            "      (conv1): Conv2d(16, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)",
        ], output)
        XCTAssertTrue(output.contains("\n  (fc): Linear(in_features=64, out_features=10, bias=True)\n)\n"), output)
        // Inside a list a model keeps its one-line summary.
        XCTAssertEqual(lines[lines.count - 2], "[<model resnet8: 77754 parameters, 10 classes>]")
        XCTAssertEqual(evaluate("split(str(model(\"resnet8\", classes: 10)), \"\\n\")[0]"), "\"ResNetCIFAR(\"")
    }

    func testShowDrawsTheSampleAsked() throws {
        let batch = "tensor([[[[0, 1]]], [[[1, 0]]]])"
        let second = try runRecipe("show(\(batch), sample: 1)") { $0.heatmapMode = .plain }.output.components(separatedBy: "\n")
        XCTAssertEqual(second[1], "sample 1, channel 0:")
        let alone = try runRecipe("show(tensor([[1, 0]]))") { $0.heatmapMode = .plain }.output.components(separatedBy: "\n")
        XCTAssertEqual(Array(second.dropFirst(2)), Array(alone.dropFirst(1)))
        let first = try runRecipe("show(\(batch))") { $0.heatmapMode = .plain }.output.components(separatedBy: "\n")
        XCTAssertNotEqual(Array(first.dropFirst(2)), Array(second.dropFirst(2)))
        XCTAssertEqual(firstLine("show(zeros([2, 4, 3, 3]), sample: 2)"),
                       "<-e>:1:1: error: show(): sample 2 is outside the 2 sample(s) of a tensor of shape [2, 4, 3, 3]")
    }
}
