import XCTest
import GirdTensor
@testable import GirdNN

final class MobileNetV2Tests: XCTestCase {
    /// `sum(p.numel() for p in model.parameters())` of RepDistiller's
    /// `mobilenetv2_T_w(6, width, classes)`, counted with PyTorch 1.13.
    func testParameterCounts() throws {
        let expected: [(String, Int, Int)] = [
            ("mobile_half", 100, 812_836), ("MobileNetV2", 100, 812_836), ("mobile_full", 100, 2_353_060),
            ("mobile_half", 10, 697_546), ("mobile_full", 10, 2_237_770),
        ]
        for (name, classes, count) in expected {
            XCTAssertEqual(try ModelZoo.make(name, classes: classes).parameterCount, count, "\(name), \(classes) classes")
        }
        // Grey images change the stem only: 3x3 kernels into 16 channels, 2 input channels fewer.
        XCTAssertEqual(try ModelZoo.make("mobile_half", classes: 100, inChannels: 1).parameterCount, 812_836 - 2 * 16 * 9)
    }

    /// Keys as PyTorch prints `state_dict()` for RepDistiller's model
    /// (checked against it: all 320, in order, with their shapes).
    func testStateDictionaryNames() throws {
        let model = try ModelZoo.make("MobileNetV2", classes: 100)
        let entries = model.stateDictionary()
        let shapes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(entries.count, 320)
        XCTAssertEqual(Array(entries.prefix(7).map(\.name)), [
            "conv1.0.weight", "conv1.1.weight", "conv1.1.bias", "conv1.1.running_mean", "conv1.1.running_var",
            "conv1.1.num_batches_tracked", "blocks.0.0.conv.0.weight",
        ])
        XCTAssertEqual(shapes["blocks.0.0.conv.6.weight"], [8, 16, 1, 1])
        XCTAssertEqual(shapes["blocks.1.1.conv.3.weight"], [72, 1, 3, 3], "depthwise")
        XCTAssertEqual(shapes["blocks.6.0.conv.7.running_var"], [160])
        XCTAssertEqual(shapes["conv2.0.weight"], [1280, 160, 1, 1])
        XCTAssertEqual(Array(entries.suffix(2).map(\.name)), ["classifier.0.weight", "classifier.0.bias"])
        XCTAssertEqual(shapes["classifier.0.weight"], [100, 1280])

        let full = try ModelZoo.make("mobile_full", classes: 100).stateDictionary()
        XCTAssertEqual(full.count, 320)
        XCTAssertEqual(full.first { $0.name == "blocks.6.0.conv.6.weight" }?.tensor.shape, [320, 960, 1, 1])
    }

    func testTapsAndShapes() throws {
        let model = try ModelZoo.make("mobile_half", classes: 10, inChannels: 1)
        model.eval()
        XCTAssertEqual(model.tapNames, ["stem", "stage1", "stage2", "stage3", "stage4", "embedding", "logits"])
        let output = try model.forward(uniformInput([2, 1, 32, 32]), taps: ["stem", "stage1", "stage2", "stage3", "embedding"])
        XCTAssertEqual(output.logits.shape, [2, 10])
        XCTAssertEqual(output.features["stem"]?.shape, [2, 16, 16, 16])
        XCTAssertEqual(output.features["stage1"]?.shape, [2, 12, 16, 16])
        XCTAssertEqual(output.features["stage2"]?.shape, [2, 16, 8, 8])
        XCTAssertEqual(output.features["stage3"]?.shape, [2, 48, 4, 4])
        XCTAssertEqual(output.features["embedding"]?.shape, [2, 1280])
        XCTAssertNil(output.features["stage4"], "taps nobody asked for are not kept")
        XCTAssertEqual(try model.forward(uniformInput([2, 1, 32, 32]), taps: ["stage4"]).features["stage4"]?.shape, [2, 160, 2, 2])
        // The stages end in a linear projection: negative values survive
        // (there is no ReLU for a separate pre-activation tap to skip).
        XCTAssertLessThan(output.features["stage1"]!.toArray().min()!, 0)
        XCTAssertThrowsError(try model.forward(uniformInput([1, 1, 32, 32]), taps: ["stage1.preact"])) { error in
            XCTAssertEqual("\(error)", "mobile_half has no tap 'stage1.preact'; its taps are: stem, stage1, stage2, stage3, stage4, embedding, logits")
        }
    }

    func testInitialisation() throws {
        // RepDistiller's `_initialize_weights`: convolutions N(0, 2/(k²·out)),
        // the classifier N(0, 0.01²) with a zero bias.
        let parameters = Dictionary(uniqueKeysWithValues: try ModelZoo.make("mobile_half").namedParameters().map { ($0.name, $0.tensor) })
        func standardDeviation(_ values: [Float]) -> Double {
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            return (values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)).squareRoot()
        }
        XCTAssertEqual(standardDeviation(parameters["classifier.0.weight"]!.toArray()), 0.01, accuracy: 0.0005)
        XCTAssertEqual(parameters["classifier.0.bias"]!.toArray(), [Float](repeating: 0, count: 100))
        // blocks.6.0.conv.6: 1x1, 160 outputs: std sqrt(2/160).
        XCTAssertEqual(standardDeviation(parameters["blocks.6.0.conv.6.weight"]!.toArray()), (2.0 / 160).squareRoot(), accuracy: 0.005)
        XCTAssertEqual(parameters["conv2.1.weight"]!.toArray(), [Float](repeating: 1, count: 1280))
    }

    func testEveryParameterGetsAGradient() throws {
        let model = try ModelZoo.make("mobile_half", classes: 10)
        let labels = try Tensor(shape: [2], indices: [3, 7])
        try Tensor.crossEntropy(model(uniformInput([2, 3, 32, 32])), labels: labels).backward()
        for (name, parameter) in model.namedParameters() {
            XCTAssertEqual(parameter.grad?.isFinite, true, name)
        }
    }

    private func uniformInput(_ shape: [Int]) -> Tensor {
        try! Tensor.rand(shape, generator: RandomGenerator(seed: 3)) * 2 - 1
    }
}
