import XCTest
import GirdTensor
@testable import GirdNN

final class ResNetCIFARTests: XCTestCase {
    /// Trainable parameter counts with 100 classes, as
    /// `sum(p.numel() for p in model.parameters())` gives for RepDistiller's
    /// models: resnet20, resnet56, resnet8x4 and resnet32x4 are the published
    /// figures; the others follow from the architecture (per stage of n
    /// blocks: 2n 3x3 convolutions and 2n batch norms, plus a 1x1 shortcut
    /// with its batch norm where the width or resolution changes).
    func testParameterCounts() throws {
        let expected = ["resnet8": 83_892, "resnet14": 181_108, "resnet20": 278_324, "resnet32": 472_756,
                        "resnet44": 667_188, "resnet56": 861_620, "resnet110": 1_736_564,
                        "resnet8x4": 1_233_540, "resnet32x4": 7_433_860]
        for (name, count) in expected {
            XCTAssertEqual(try ModelZoo.make(name, classes: 100).parameterCount, count, name)
        }
    }

    func testStateDictionaryNames() throws {
        let model = try ModelZoo.make("resnet8", classes: 10)
        let names = model.stateDictionary().map(\.name)
        XCTAssertEqual(Array(names.prefix(7)), [
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "layer1.0.conv1.weight",
        ])
        XCTAssertTrue(names.contains("layer2.0.downsample.0.weight"))
        XCTAssertTrue(names.contains("layer2.0.downsample.1.running_var"))
        XCTAssertEqual(Array(names.suffix(2)), ["fc.weight", "fc.bias"])
    }

    func testTapsAndShapes() throws {
        let model = try ModelZoo.make("resnet8x4", classes: 10, inChannels: 1)
        model.eval()
        let x = uniformInput([2, 1, 32, 32])
        let output = try model.forward(x, taps: ["stem", "stage1", "stage2.preact", "stage3", "embedding"])
        XCTAssertEqual(output.logits.shape, [2, 10])
        XCTAssertEqual(output.features["stem"]?.shape, [2, 32, 32, 32])
        XCTAssertEqual(output.features["stage1"]?.shape, [2, 64, 32, 32])
        XCTAssertEqual(output.features["stage2.preact"]?.shape, [2, 128, 16, 16])
        XCTAssertEqual(output.features["stage3"]?.shape, [2, 256, 8, 8])
        XCTAssertEqual(output.features["embedding"]?.shape, [2, 256])
        XCTAssertNil(output.features["stage2"], "taps nobody asked for are not kept")
        // The pre-activation differs from the output exactly where it is negative.
        let preact = try model.forward(x, taps: ["stage2.preact", "stage2"])
        XCTAssertEqual(try preact.features["stage2.preact"]!.relu().toArray(), preact.features["stage2"]!.toArray())
    }

    func testUnknownTapAndModel() throws {
        let model = try ModelZoo.make("resnet8", classes: 10)
        XCTAssertThrowsError(try model.forward(uniformInput([1, 3, 32, 32]), taps: ["stage4"])) { error in
            XCTAssertEqual("\(error)", "resnet8 has no tap 'stage4'; its taps are: stem, stage1.preact, stage1, stage2.preact, stage2, stage3.preact, stage3, embedding, logits")
        }
        XCTAssertThrowsError(try ModelZoo.make("resnet8x5")) { error in
            XCTAssertEqual("\(error)", "unknown model 'resnet8x5'; did you mean 'resnet8x4'?")
        }
    }

    func testTrainingModeUpdatesBatchNormBuffers() throws {
        let model = try ModelZoo.make("resnet8", classes: 10)
        _ = try model(uniformInput([4, 3, 32, 32]))
        let bn = model.stateDictionary().first { $0.name == "bn1.num_batches_tracked" }!.tensor
        XCTAssertEqual(bn.toIndices(), [1])
        model.eval()
        _ = try model(uniformInput([4, 3, 32, 32]))
        XCTAssertEqual(bn.toIndices(), [1])
    }

    private func uniformInput(_ shape: [Int]) -> Tensor {
        try! Tensor.rand(shape, generator: RandomGenerator(seed: 3))
    }
}
