import Foundation
import XCTest
import GirdTensor
@testable import GirdNN

/// The re-ID head (BNNeck: batch norm with its shift held at 0, then a
/// bias-free classifier) and the last-stride option on the zoo's ResNets.
final class ReIDHeadTests: XCTestCase {
    func testHeadNamesTapsAndTrainableParameters() throws {
        let plain = try ModelZoo.make("tv_resnet18", classes: 10)
        let reid = try ModelZoo.make("tv_resnet18", classes: 10, head: .reid)
        XCTAssertEqual(Array(reid.tapNames.suffix(3)), ["embedding", "neck", "logits"])
        XCTAssertFalse(plain.tapNames.contains("neck"))
        let names = reid.stateDictionary().map(\.name)
        XCTAssertEqual(Array(names.suffix(6)), ["neck.weight", "neck.bias", "neck.running_mean", "neck.running_var",
                                                "neck.num_batches_tracked", "classifier.weight"], "PyTorch's state_dict order")
        XCTAssertFalse(names.contains("fc.weight"))
        XCTAssertFalse(reid.namedParameters().map(\.name).contains("neck.bias"), "the neck's shift is a buffer: never trained")
        XCTAssertTrue(reid.namedBuffers().map(\.name).contains("neck.bias"))
        // fc's 512·10 + 10 become the neck's 512 scales and the classifier's 512·10 weights.
        XCTAssertEqual(reid.parameterCount, plain.parameterCount - 10 + 512)
        XCTAssertEqual(reid.head, .reid)
        // The backbone's weights are drawn first: the head does not change them.
        let a = try ModelZoo.make("resnet8", classes: 3, generator: RandomGenerator(seed: 4))
        let b = try ModelZoo.make("resnet8", classes: 3, generator: RandomGenerator(seed: 4), head: .reid)
        XCTAssertEqual(a.stateDictionary().first { $0.name == "layer3.0.conv2.weight" }?.tensor.toArray(),
                       b.stateDictionary().first { $0.name == "layer3.0.conv2.weight" }?.tensor.toArray())
    }

    /// In eval mode: neck = (e − running mean) / sqrt(running var + 1e-5) · γ, logits = neck · Wᵀ.
    func testEvalForwardIsTheFormula() throws {
        let network = try ModelZoo.make("resnet8", classes: 3, generator: RandomGenerator(seed: 2), head: .reid)
        let generator = RandomGenerator(seed: 9)
        let dictionary = Dictionary(uniqueKeysWithValues: network.stateDictionary().map { ($0.name, $0.tensor) })
        let mean = (0..<64).map { _ in generator.nextUniform() - 0.5 }, variance = (0..<64).map { _ in generator.nextUniform() + 0.5 }
        let gamma = (0..<64).map { _ in generator.nextUniform() + 0.5 }
        try dictionary["neck.running_mean"]!.copyValues(from: Tensor(shape: [64], values: mean))
        try dictionary["neck.running_var"]!.copyValues(from: Tensor(shape: [64], values: variance))
        try dictionary["neck.weight"]!.copyValues(from: Tensor(shape: [64], values: gamma))
        network.eval()
        let images = try Tensor.randn([2, 3, 32, 32], generator: generator)
        let output = try network.forward(images, taps: ["embedding", "neck"])
        let embedding = output.features["embedding"]!.toArray(), neck = output.features["neck"]!.toArray()
        let weights = dictionary["classifier.weight"]!.toArray()
        for row in 0..<2 {
            var expectedNeck = [Float](repeating: 0, count: 64)
            for c in 0..<64 {
                expectedNeck[c] = (embedding[row * 64 + c] - mean[c]) / (variance[c] + 1e-5).squareRoot() * gamma[c]
                XCTAssertEqual(neck[row * 64 + c], expectedNeck[c], accuracy: 1e-5)
            }
            for k in 0..<3 {
                let logit = (0..<64).map { expectedNeck[$0] * weights[k * 64 + $0] }.reduce(0, +)
                XCTAssertEqual(output.logits.toArray()[row * 3 + k], logit, accuracy: 1e-4)
            }
        }
        // The classifier starts N(0, 0.001²).
        let std = (weights.map { $0 * $0 }.reduce(0, +) / Float(weights.count)).squareRoot()
        XCTAssertEqual(std, 0.001, accuracy: 0.0002)
    }

    func testLastStrideOneKeepsTheLastStagesResolution() throws {
        let images = Tensor.zeros([1, 3, 64, 64])
        let two = try ModelZoo.make("tv_resnet18", classes: 5)
        let one = try ModelZoo.make("tv_resnet18", classes: 5, lastStride: 1)
        XCTAssertEqual(try two.forward(images, taps: ["stage4"]).features["stage4"]?.shape, [1, 512, 2, 2])
        XCTAssertEqual(try one.forward(images, taps: ["stage4"]).features["stage4"]?.shape, [1, 512, 4, 4])
        XCTAssertEqual(one.lastStride, 1)
        XCTAssertEqual(two.stateDictionary().map(\.name), one.stateDictionary().map(\.name))
        XCTAssertNil(try ModelZoo.make("resnet8").lastStride)
    }

    /// `load_state_dict(strict=False)`: an ImageNet backbone under a re-ID head.
    func testNonStrictLoadFillsTheBackboneAndListsTheRest() throws {
        let path = NSTemporaryDirectory() + "gird-backbone-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let imagenet = try ModelZoo.make("tv_resnet18", generator: RandomGenerator(seed: 1))
        try imagenet.saveWeights(to: path)
        let reid = try ModelZoo.make("tv_resnet18", classes: 7, generator: RandomGenerator(seed: 2), head: .reid)
        let neckBefore = reid.stateDictionary().first { $0.name == "classifier.weight" }!.tensor.toArray()
        let (missing, unexpected) = try reid.loadWeights(contentsOf: path, strict: false)
        XCTAssertEqual(missing, ["neck.weight", "neck.bias", "neck.running_mean", "neck.running_var", "neck.num_batches_tracked",
                                 "classifier.weight"])
        XCTAssertEqual(unexpected, ["fc.bias", "fc.weight"])
        let loaded = Dictionary(uniqueKeysWithValues: reid.stateDictionary().map { ($0.name, $0.tensor.toArray()) })
        for (name, tensor) in imagenet.stateDictionary() where !name.hasPrefix("fc.") {
            XCTAssertEqual(loaded[name], tensor.toArray(), name)
        }
        XCTAssertEqual(loaded["classifier.weight"], neckBefore, "the new head keeps its initialisation")
        XCTAssertThrowsError(try reid.loadWeights(contentsOf: path), "strict by default")
        // A name both have with another shape is still an error, and nothing is loaded.
        let narrow = try ModelZoo.make("resnet8", classes: 3)
        let wide = try ModelZoo.make("resnet8", classes: 5)
        try narrow.saveWeights(to: path)
        XCTAssertThrowsError(try wide.loadWeights(contentsOf: path, strict: false)) { error in
            XCTAssertTrue("\(error)".contains("fc.weight"), "\(error)")
        }
    }

    func testUnsupportedCombinationsAreRefused() {
        XCTAssertEqual(errorText { try ModelZoo.make("vgg8", head: .reid) },
                       "model: the re-ID head is built for the ResNets (resnet8...resnet110, ResNet18/34/50, tv_resnet18/34/50), not vgg8")
        XCTAssertEqual(errorText { try ModelZoo.make("resnet20", lastStride: 1) },
                       "model: last_stride must be 2, or 1 for ResNet18/34/50 and tv_resnet18/34/50; got 1 for resnet20")
    }

    private func errorText(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }
}
