import XCTest
import GirdTensor
@testable import GirdNN

final class VGGTests: XCTestCase {
    /// `sum(p.numel() for p in model.parameters())` of RepDistiller's
    /// `vggN_bn(num_classes=100)` (vgg13 and vgg8 are the published figures;
    /// all five were checked against PyTorch). By formula: per conv
    /// 9·in·out + out (bias) + 2·out (BN); classifier 512·100 + 100. vgg8:
    /// 9·(3·64 + 64·128 + 128·256 + 256·512 + 512·512) + 3·1472 + 51,300.
    /// The `state_dict` key counts are PyTorch's for the same models (each
    /// model is built once: building dominates this file's time).
    func testParameterAndStateDictionaryCounts() throws {
        let expected = ["vgg8": (3_965_028, 37), "vgg11": (9_277_284, 58), "vgg13": (9_462_180, 72),
                        "vgg16": (14_774_436, 93), "vgg19": (20_086_692, 114)]
        for (name, (parameters, keys)) in expected {
            let model = try ModelZoo.make(name, classes: 100)
            XCTAssertEqual(model.parameterCount, parameters, name)
            XCTAssertEqual(model.stateDictionary().count, keys, name)
        }
    }

    func testGreyInputChangesOnlyTheStem() throws {
        let model = try ModelZoo.make("vgg8", classes: 10, inChannels: 1)
        XCTAssertEqual(model.parameterCount, 3_917_706)  // PyTorch, with block0.0 built for 1 channel
        XCTAssertEqual(model.stateDictionary().first?.tensor.shape, [64, 1, 3, 3])
    }

    /// The ReLUs inside a block take Sequential indices, as in PyTorch.
    func testStateDictionaryNames() throws {
        let names = try ModelZoo.make("vgg13", classes: 100).stateDictionary().map(\.name)
        XCTAssertEqual(names.count, 72)
        XCTAssertEqual(Array(names.prefix(9)), [
            "block0.0.weight", "block0.0.bias", "block0.1.weight", "block0.1.bias", "block0.1.running_mean",
            "block0.1.running_var", "block0.1.num_batches_tracked", "block0.3.weight", "block0.3.bias",
        ])
        XCTAssertEqual(Array(names.suffix(4)), [
            "block4.4.running_var", "block4.4.num_batches_tracked", "classifier.weight", "classifier.bias",
        ])
    }

    func testTapsAndShapes() throws {
        let model = try ModelZoo.make("vgg8", classes: 10)
        XCTAssertEqual(model.tapNames, ["stem", "stage1.preact", "stage1", "stage2.preact", "stage2", "stage3.preact",
                                        "stage3", "stage4.preact", "stage4", "embedding", "logits"])
        model.eval()
        let x = uniformInput([2, 3, 32, 32])
        let output = try model.forward(x, taps: ["stem", "stage1", "stage2", "stage3", "stage4.preact", "stage4", "embedding"])
        XCTAssertEqual(output.logits.shape, [2, 10])
        XCTAssertEqual(output.features["stem"]?.shape, [2, 64, 32, 32])
        XCTAssertEqual(output.features["stage1"]?.shape, [2, 128, 16, 16])
        XCTAssertEqual(output.features["stage2"]?.shape, [2, 256, 8, 8])
        // No pooling before the last block at 32x32, as in vgg.py.
        XCTAssertEqual(output.features["stage3"]?.shape, [2, 512, 4, 4])
        XCTAssertEqual(output.features["stage4"]?.shape, [2, 512, 4, 4])
        XCTAssertEqual(output.features["embedding"]?.shape, [2, 512])
        XCTAssertNil(output.features["stage1.preact"], "taps nobody asked for are not kept")
        XCTAssertEqual(try output.features["stage4.preact"]!.relu().toArray(), output.features["stage4"]!.toArray())
        XCTAssertEqual(try output.features["stage4"]!.globalAvgPool().toArray(), output.features["embedding"]!.toArray())
    }

    /// vgg.py pools before the last block too when images are 64x64.
    func testSixtyFourPixelInputsPoolBeforeTheLastBlock() throws {
        let model = try ModelZoo.make("vgg8", classes: 10)
        let output = try model.forward(uniformInput([1, 3, 64, 64]), taps: ["stage3", "stage4"])
        XCTAssertEqual(output.features["stage3"]?.shape, [1, 512, 8, 8])
        XCTAssertEqual(output.features["stage4"]?.shape, [1, 512, 4, 4])
    }

    func testEveryParameterGetsAGradient() throws {
        let model = try ModelZoo.make("vgg8", classes: 10)
        try model(uniformInput([2, 3, 32, 32])).sum().backward()
        for (name, parameter) in model.namedParameters() {
            XCTAssertEqual(parameter.grad?.shape, parameter.shape, name)
        }
    }

    private func uniformInput(_ shape: [Int]) -> Tensor {
        try! Tensor.rand(shape, generator: RandomGenerator(seed: 3))
    }
}
