import XCTest
import GirdTensor
@testable import GirdNN

final class ShuffleNetTests: XCTestCase {
    /// `sum(p.numel() for p in model.parameters())` of RepDistiller's
    /// `ShuffleV1(num_classes=)` and `ShuffleV2(num_classes=)`, counted with PyTorch 1.13.
    func testParameterCounts() throws {
        let expected: [(String, Int, Int)] = [
            ("ShuffleV1", 100, 949_258), ("ShuffleV2", 100, 1_355_528), ("ShuffleV1", 10, 862_768), ("ShuffleV2", 10, 1_263_278),
        ]
        for (name, classes, count) in expected {
            XCTAssertEqual(try ModelZoo.make(name, classes: classes).parameterCount, count, "\(name), \(classes) classes")
        }
        // Grey images change the stem only: a 1x1 conv into 24 channels, 2 input channels fewer.
        for (name, count) in [("ShuffleV1", 949_258), ("ShuffleV2", 1_355_528)] {
            let model = try ModelZoo.make(name, classes: 100, inChannels: 1)
            XCTAssertEqual(model.parameterCount, count - 2 * 24, name)
            XCTAssertEqual(model.stateDictionary().first?.tensor.shape, [24, 1, 1, 1], name)
        }
    }

    /// Keys as PyTorch prints `state_dict()` for RepDistiller's models
    /// (checked against it: all of them, in order, with their shapes).
    func testShuffleV1StateDictionaryNames() throws {
        let entries = try ModelZoo.make("ShuffleV1", classes: 100).stateDictionary()
        let shapes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(entries.count, 296)
        XCTAssertEqual(Array(entries.prefix(7).map(\.name)), [
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "layer1.0.conv1.weight",
        ])
        // The block after the stem does not group its first conv; the others do (3 groups).
        XCTAssertEqual(shapes["layer1.0.conv1.weight"], [54, 24, 1, 1])
        XCTAssertEqual(shapes["layer1.1.conv1.weight"], [60, 80, 1, 1])
        XCTAssertEqual(shapes["layer2.0.conv3.weight"], [240, 20, 1, 1], "a stage's first block makes only the channels its pooled input lacks")
        XCTAssertEqual(shapes["layer2.7.conv2.weight"], [120, 1, 3, 3], "depthwise")
        XCTAssertNotNil(shapes["layer3.3.bn3.num_batches_tracked"])
        XCTAssertEqual(Array(entries.suffix(2).map(\.name)), ["linear.weight", "linear.bias"])
        XCTAssertEqual(shapes["linear.weight"], [100, 960])
    }

    func testShuffleV2StateDictionaryNames() throws {
        let entries = try ModelZoo.make("ShuffleV2", classes: 100).stateDictionary()
        let shapes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(entries.count, 338)
        // A stage starts with its down-sampling block: conv1...conv5 and bn1...bn5, in that order.
        XCTAssertEqual(Array(entries.dropFirst(6).prefix(13).map(\.name)), [
            "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.0.bn1.running_mean",
            "layer1.0.bn1.running_var", "layer1.0.bn1.num_batches_tracked",
            "layer1.0.conv2.weight", "layer1.0.bn2.weight", "layer1.0.bn2.bias", "layer1.0.bn2.running_mean",
            "layer1.0.bn2.running_var", "layer1.0.bn2.num_batches_tracked", "layer1.0.conv3.weight",
        ])
        XCTAssertEqual(shapes["layer1.0.conv1.weight"], [24, 1, 3, 3])
        XCTAssertEqual(shapes["layer1.0.conv5.weight"], [58, 58, 1, 1])
        XCTAssertEqual(shapes["layer1.3.conv2.weight"], [58, 1, 3, 3], "basic blocks work on half the channels")
        XCTAssertEqual(shapes["layer2.7.bn3.running_mean"], [116])
        XCTAssertEqual(shapes["layer3.3.conv3.weight"], [232, 232, 1, 1])
        XCTAssertEqual(shapes["conv2.weight"], [1024, 464, 1, 1])
        XCTAssertEqual(Array(entries.suffix(8).map(\.name)), [
            "conv2.weight", "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
            "linear.weight", "linear.bias",
        ])
    }

    func testShuffleV1Taps() throws {
        let model = try ModelZoo.make("ShuffleV1", classes: 10, inChannels: 1)
        model.eval()
        XCTAssertEqual(model.tapNames, ["stem", "stage1.preact", "stage1", "stage2.preact", "stage2", "stage3.preact", "stage3",
                                        "embedding", "logits"])
        let output = try model.forward(uniformInput([2, 1, 32, 32]), taps: ["stem", "stage1", "stage2.preact", "stage2", "stage3", "embedding"])
        XCTAssertEqual(output.logits.shape, [2, 10])
        XCTAssertEqual(output.features["stem"]?.shape, [2, 24, 32, 32])
        XCTAssertEqual(output.features["stage1"]?.shape, [2, 240, 16, 16])
        XCTAssertEqual(output.features["stage2"]?.shape, [2, 480, 8, 8])
        XCTAssertEqual(output.features["stage3"]?.shape, [2, 960, 4, 4])
        XCTAssertEqual(output.features["embedding"]?.shape, [2, 960])
        XCTAssertNil(output.features["stage1.preact"], "taps nobody asked for are not kept")
        // The pre-activation is the output before its ReLU.
        let preact = output.features["stage2.preact"]!
        XCTAssertEqual(preact.shape, [2, 480, 8, 8])
        XCTAssertLessThan(preact.toArray().min()!, 0)
        XCTAssertEqual(try preact.relu().toArray(), output.features["stage2"]!.toArray())
    }

    func testShuffleV2Taps() throws {
        let model = try ModelZoo.make("ShuffleV2", classes: 10, inChannels: 1)
        model.eval()
        let output = try model.forward(uniformInput([2, 1, 32, 32]), taps: ["stem", "stage1", "stage2", "stage3.preact", "stage3", "embedding"])
        XCTAssertEqual(output.logits.shape, [2, 10])
        XCTAssertEqual(output.features["stem"]?.shape, [2, 24, 32, 32])
        XCTAssertEqual(output.features["stage1"]?.shape, [2, 116, 16, 16])
        XCTAssertEqual(output.features["stage2"]?.shape, [2, 232, 8, 8])
        XCTAssertEqual(output.features["stage3"]?.shape, [2, 464, 4, 4])
        XCTAssertEqual(output.features["embedding"]?.shape, [2, 1024])
        XCTAssertNil(output.features["stage2.preact"], "taps nobody asked for are not kept")
        // RepDistiller's pre-activation is [kept half, branch before ReLU],
        // not yet shuffled: ReLU (the kept half is already >= 0) and the
        // 2-group shuffle turn it into the stage's output.
        let preact = output.features["stage3.preact"]!
        XCTAssertEqual(preact.shape, [2, 464, 4, 4])
        XCTAssertLessThan(preact.toArray().min()!, 0)
        XCTAssertEqual(try preact.relu().channelShuffled(groups: 2).toArray(), output.features["stage3"]!.toArray())
    }

    func testEveryParameterGetsAGradient() throws {
        // Through every split, concatenation and shuffle back to the stem.
        for name in ["ShuffleV1", "ShuffleV2"] {
            let model = try ModelZoo.make(name, classes: 10)
            let labels = try Tensor(shape: [2], indices: [3, 7])
            try Tensor.crossEntropy(model(uniformInput([2, 3, 32, 32])), labels: labels).backward()
            for (parameter, value) in model.namedParameters() {
                XCTAssertEqual(value.grad?.isFinite, true, "\(name): \(parameter)")
            }
        }
    }

    func testInitialisationIsPyTorchsDefault() throws {
        // No `_initialize_weights` in these files: kaiming_uniform(a=√5), U(±1/√fan_in).
        let parameters = Dictionary(uniqueKeysWithValues: try ModelZoo.make("ShuffleV2").namedParameters().map { ($0.name, $0.tensor) })
        let weight = parameters["conv2.weight"]!.toArray()
        let bound = 1 / Float(464).squareRoot()
        XCTAssertLessThanOrEqual(weight.map(abs).max()!, bound)
        XCTAssertGreaterThan(weight.map(abs).max()!, 0.95 * bound)
        XCTAssertEqual(parameters["bn2.weight"]!.toArray(), [Float](repeating: 1, count: 1024))
        XCTAssertLessThanOrEqual(parameters["linear.bias"]!.toArray().map(abs).max()!, 1 / Float(1024).squareRoot())
    }

    private func uniformInput(_ shape: [Int]) -> Tensor {
        try! Tensor.rand(shape, generator: RandomGenerator(seed: 3)) * 2 - 1
    }
}
