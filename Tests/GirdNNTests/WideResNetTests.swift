import XCTest
import GirdTensor
@testable import GirdNN

final class WideResNetTests: XCTestCase {
    /// `sum(p.numel() for p in model.parameters())` of RepDistiller's
    /// `wrn_*(num_classes=100)` (wrn_40_2 and wrn_16_2 are the published
    /// figures; all four were checked against PyTorch). By formula, with
    /// n = (d - 4) / 6 blocks per stage, widths w = 16k, 32k, 64k:
    /// stem 27·16; per block 9·in·out + 9·out² + 2·in + 2·out (+ in·out when
    /// the width changes); final BN 2·64k; classifier 64k·100 + 100.
    /// The `state_dict` key counts are PyTorch's for the same models.
    func testParameterAndStateDictionaryCounts() throws {
        let expected = ["wrn_16_1": (180_916, 82), "wrn_16_2": (703_284, 83), "wrn_40_1": (569_780, 226),
                        "wrn_40_2": (2_255_156, 227)]
        for (name, (parameters, keys)) in expected {
            let model = try ModelZoo.make(name, classes: 100)
            XCTAssertEqual(model.parameterCount, parameters, name)
            XCTAssertEqual(model.stateDictionary().count, keys, name)
        }
    }

    func testGreyInputChangesOnlyTheStem() throws {
        let model = try ModelZoo.make("wrn_16_1", classes: 10, inChannels: 1)
        XCTAssertEqual(model.parameterCount, 174_778)  // PyTorch, with conv1 built for 1 channel
        XCTAssertEqual(model.stateDictionary().first?.tensor.shape, [16, 1, 3, 3])
    }

    /// Key count and names as PyTorch's `state_dict()` lists them.
    func testStateDictionaryNames() throws {
        let names = try ModelZoo.make("wrn_16_2", classes: 100).stateDictionary().map(\.name)
        XCTAssertEqual(names.count, 83)
        XCTAssertEqual(Array(names.prefix(8)), [
            "conv1.weight", "block1.layer.0.bn1.weight", "block1.layer.0.bn1.bias", "block1.layer.0.bn1.running_mean",
            "block1.layer.0.bn1.running_var", "block1.layer.0.bn1.num_batches_tracked", "block1.layer.0.conv1.weight",
            "block1.layer.0.bn2.weight",
        ])
        XCTAssertEqual(names[13], "block1.layer.0.convShortcut.weight")
        XCTAssertEqual(names[26], "block2.layer.0.bn1.weight")
        XCTAssertEqual(Array(names.suffix(4)), ["bn1.running_var", "bn1.num_batches_tracked", "fc.weight", "fc.bias"])
        // wrn_16_1's first block keeps its width: only stages 2 and 3 project.
        let narrow = try ModelZoo.make("wrn_16_1", classes: 100).stateDictionary().map(\.name)
        XCTAssertEqual(narrow.filter { $0.hasSuffix("convShortcut.weight") },
                       ["block2.layer.0.convShortcut.weight", "block3.layer.0.convShortcut.weight"])
    }

    func testTapsAndShapes() throws {
        let model = try ModelZoo.make("wrn_16_2", classes: 10)
        XCTAssertEqual(model.tapNames, ["stem", "stage1", "stage1.preact", "stage2", "stage2.preact", "stage3",
                                        "stage3.preact", "embedding", "logits"])
        model.eval()
        let x = uniformInput([2, 3, 32, 32])
        let output = try model.forward(x, taps: ["stem", "stage1", "stage2.preact", "stage3", "stage3.preact", "embedding"])
        XCTAssertEqual(output.logits.shape, [2, 10])
        XCTAssertEqual(output.features["stem"]?.shape, [2, 16, 32, 32])
        XCTAssertEqual(output.features["stage1"]?.shape, [2, 32, 32, 32])
        XCTAssertEqual(output.features["stage2.preact"]?.shape, [2, 64, 16, 16])
        XCTAssertEqual(output.features["stage3"]?.shape, [2, 128, 8, 8])
        XCTAssertEqual(output.features["embedding"]?.shape, [2, 128])
        XCTAssertNil(output.features["stage2"], "taps nobody asked for are not kept")
        XCTAssertNil(output.features["logits"])
        // The last stage's preact is what the classifier's BN-ReLU-pool reads.
        let pooled = try output.features["stage3.preact"]!.relu().avgPool2d(kernel: 8).flattened()
        XCTAssertEqual(pooled.toArray(), output.features["embedding"]!.toArray())
    }

    /// `stage1.preact` is stage 1's output through the BN that opens stage 2
    /// (RepDistiller's `block2.layer[0].bn1(f1)`), not a value inside stage 1.
    func testPreactIsTheNextStagesBatchNorm() throws {
        let model = try XCTUnwrap(try ModelZoo.make("wrn_16_1", classes: 10) as? WideResNet)
        let bn = model.stages[1][0].bn1
        let generator = RandomGenerator(seed: 5)
        try bn.runningMean.copyValues(from: Tensor.randn([16], generator: generator))
        try bn.runningVariance.copyValues(from: Tensor.rand([16], generator: generator) + 0.5)
        try bn.weight.copyValues(from: Tensor.rand([16], generator: generator) + 0.5)
        model.eval()
        let output = try model.forward(uniformInput([2, 3, 32, 32]), taps: ["stage1", "stage1.preact"])
        let expected = try bn(output.features["stage1"]!)
        XCTAssertEqual(output.features["stage1.preact"]!.toArray(), expected.toArray())
    }

    func testEveryParameterGetsAGradient() throws {
        let model = try ModelZoo.make("wrn_16_1", classes: 10)
        try model(uniformInput([2, 3, 32, 32])).sum().backward()
        for (name, parameter) in model.namedParameters() {
            XCTAssertEqual(parameter.grad?.shape, parameter.shape, name)
        }
    }

    private func uniformInput(_ shape: [Int]) -> Tensor {
        try! Tensor.rand(shape, generator: RandomGenerator(seed: 3))
    }
}
