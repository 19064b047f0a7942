import XCTest
import GirdTensor
@testable import GirdNN

final class ResNetV2Tests: XCTestCase {
    /// `sum(p.numel() for p in model.parameters())` of RepDistiller's
    /// `resnetv2.ResNetN(num_classes=100)` (ResNet50 is the published figure;
    /// all three were checked against PyTorch). They are the ImageNet models'
    /// counts with a 3x3 stem (1,728 instead of 9,408 weights) and a
    /// 100-way classifier: ResNet18 11,689,512 - 7,680 - 513,000 + 51,300.
    ///
    /// The `state_dict` key counts are PyTorch's for the same models (each
    /// model is built once: building dominates this file's time).
    func testParameterAndStateDictionaryCounts() throws {
        let expected = ["ResNet18": (11_220_132, 122), "ResNet34": (21_328_292, 218), "ResNet50": (23_705_252, 320)]
        for (name, (parameters, keys)) in expected {
            let model = try ModelZoo.make(name, classes: 100)
            XCTAssertEqual(model.parameterCount, parameters, name)
            XCTAssertEqual(model.stateDictionary().count, keys, name)
        }
    }

    func testGreyInputChangesOnlyTheStem() throws {
        let model = try ModelZoo.make("ResNet18", classes: 10, inChannels: 1)
        XCTAssertEqual(model.parameterCount, 11_172_810)  // PyTorch, with conv1 built for 1 channel
        XCTAssertEqual(model.stateDictionary().first?.tensor.shape, [64, 1, 3, 3])
    }

    /// An identity shortcut is an empty Sequential in PyTorch: no keys.
    func testStateDictionaryNames() throws {
        let basic = try ModelZoo.make("ResNet18", classes: 100).stateDictionary().map(\.name)
        XCTAssertEqual(Array(basic.prefix(7)), [
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "layer1.0.conv1.weight",
        ])
        XCTAssertEqual(basic.filter { $0.hasSuffix("shortcut.0.weight") },
                       ["layer2.0.shortcut.0.weight", "layer3.0.shortcut.0.weight", "layer4.0.shortcut.0.weight"])
        XCTAssertEqual(Array(basic.suffix(2)), ["linear.weight", "linear.bias"])
    }

    func testTapsAndShapes() throws {
        let model = try ModelZoo.make("ResNet18", classes: 10)
        XCTAssertEqual(model.tapNames, ["stem", "stage1.preact", "stage1", "stage2.preact", "stage2", "stage3.preact",
                                        "stage3", "stage4.preact", "stage4", "embedding", "logits"])
        model.eval()
        let x = uniformInput([2, 3, 32, 32])
        let output = try model.forward(x, taps: ["stem", "stage1", "stage2", "stage3.preact", "stage3", "stage4", "embedding"])
        XCTAssertEqual(output.logits.shape, [2, 10])
        XCTAssertEqual(output.features["stem"]?.shape, [2, 64, 32, 32])
        XCTAssertEqual(output.features["stage1"]?.shape, [2, 64, 32, 32])
        XCTAssertEqual(output.features["stage2"]?.shape, [2, 128, 16, 16])
        XCTAssertEqual(output.features["stage3"]?.shape, [2, 256, 8, 8])
        XCTAssertEqual(output.features["stage4"]?.shape, [2, 512, 4, 4])
        XCTAssertEqual(output.features["embedding"]?.shape, [2, 512])
        XCTAssertNil(output.features["stage4.preact"], "taps nobody asked for are not kept")
        XCTAssertEqual(try output.features["stage3.preact"]!.relu().toArray(), output.features["stage3"]!.toArray())
    }

    /// Names, shapes and taps of the Bottleneck model (built once).
    func testBottleneckStagesAreFourTimesWider() throws {
        let model = try ModelZoo.make("ResNet50", classes: 10)
        let shapes = Dictionary(uniqueKeysWithValues: model.stateDictionary().map { ($0.name, $0.tensor.shape) })
        // The first block already widens 64 -> 256, so it projects at stride 1.
        XCTAssertEqual(shapes["layer1.0.shortcut.0.weight"], [256, 64, 1, 1])
        XCTAssertEqual(shapes["layer1.0.shortcut.1.num_batches_tracked"], [])
        XCTAssertNil(shapes["layer1.1.shortcut.0.weight"])
        XCTAssertEqual(shapes["layer4.2.conv1.weight"], [512, 2048, 1, 1])
        XCTAssertEqual(shapes["layer4.2.bn3.running_var"], [2048])
        XCTAssertEqual(shapes["linear.weight"], [10, 2048])

        model.eval()
        let output = try model.forward(uniformInput([1, 3, 32, 32]), taps: ["stage1", "stage4.preact", "stage4", "embedding"])
        XCTAssertEqual(output.features["stage1"]?.shape, [1, 256, 32, 32])
        XCTAssertEqual(output.features["stage4"]?.shape, [1, 2048, 4, 4])
        XCTAssertEqual(output.features["embedding"]?.shape, [1, 2048])
        XCTAssertEqual(try output.features["stage4.preact"]!.relu().toArray(), output.features["stage4"]!.toArray())
    }

    func testEveryParameterGetsAGradient() throws {
        let model = try ModelZoo.make("ResNet18", classes: 10)
        try model(uniformInput([2, 3, 32, 32])).sum().backward()
        for (name, parameter) in model.namedParameters() {
            XCTAssertEqual(parameter.grad?.shape, parameter.shape, name)
        }
    }

    private func uniformInput(_ shape: [Int]) -> Tensor {
        try! Tensor.rand(shape, generator: RandomGenerator(seed: 3))
    }
}
