import Foundation
import XCTest
import GirdCrossCheck
import GirdNN
import GirdTensor
@testable import GirdONNX

/// Every zoo family exported, checked by onnx.checker and run by
/// onnxruntime (PyPI's, through scripts/onnx-check.py) with logits equal to
/// the engine's eval-mode forward within 1e-4, at a batch size other than
/// the one traced (the batch axis is dynamic).
final class ONNXExportTests: XCTestCase {
    /// A network with batch norm statistics far from their initial 0 and 1,
    /// so that folding them is exercised.
    func network(_ name: String, channels: Int = 3, head: HeadKind = .classifier, lastStride: Int = 2) throws -> Network {
        let network = try ModelZoo.make(name, classes: 10, inChannels: channels, generator: RandomGenerator(seed: 7), head: head,
                                        lastStride: lastStride)
        let generator = RandomGenerator(seed: 8)
        for (key, tensor) in network.namedBuffers() where key.hasSuffix("running_mean") || key.hasSuffix("running_var") {
            let values = try Tensor.rand(tensor.shape, generator: generator).toArray()
            try tensor.copyValues(from: Tensor(shape: tensor.shape, values: values.map { key.hasSuffix("running_var") ? 0.5 + $0 : $0 - 0.5 }))
        }
        network.eval()
        return network
    }

    /// The exported file run by onnxruntime on `input`; its report (opset, names, shapes, operators).
    func runInONNXRuntime(_ bytes: [UInt8], input: Tensor) throws -> (output: Tensor, report: [String: Any]) {
        let folder = NSTemporaryDirectory() + "gird-onnx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/model.onnx"))
        try NumPyFile.save(input, to: folder + "/input.npy")
        let report = try CrossCheckScript.run("onnx-check.py", arguments: [folder + "/model.onnx", folder + "/input.npy", folder + "/output.npy"],
                                              needs: "onnx and onnxruntime")
        let decoded = try XCTUnwrap(try JSONSerialization.jsonObject(with: report) as? [String: Any])
        return (try NumPyFile.load(contentsOf: folder + "/output.npy"), decoded)
    }

    func maximumDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.toArray(), b.toArray()).map { abs($0 - $1) }.max() ?? .infinity
    }

    func testEveryFamilyRunsInONNXRuntimeWithTheEnginesLogits() throws {
        for name in ["resnet8", "resnet8x4", "ResNet18", "wrn_16_2", "vgg8", "MobileNetV2", "ShuffleV1", "ShuffleV2"] {
            let model = try network(name)
            let input = try Tensor.randn([3, 3, 32, 32], generator: RandomGenerator(seed: 9))
            let expected = try GradMode.withoutGradient { try model(input) }
            let bytes = try ONNXExport.encode(model, inputShape: [3, 32, 32])
            let (output, report) = try runInONNXRuntime(bytes, input: input)
            XCTAssertEqual(output.shape, [3, 10], name)
            print("\(name): \(bytes.count) bytes, max |onnxruntime - engine| = \(maximumDifference(output, expected))")
            XCTAssertLessThan(maximumDifference(output, expected), 1e-4, name)
            XCTAssertEqual(report["opset"] as? Int, 13, name)
            XCTAssertEqual((report["input"] as? [Any])?.first as? String, "input", name)
            XCTAssertEqual("\((report["input"] as? [Any])?.last ?? "")", "[\"batch\", 3, 32, 32]", name)
            // Wide ResNets are pre-activation: their batch norms follow a
            // ReLU or the input, not a convolution, and stay.
            XCTAssertEqual((report["nodes"] as? [String] ?? []).contains("BatchNormalization"), name == "wrn_16_2", "\(name): folded")
        }
    }

    /// torchvision's networks: the max pooling with padding, ReLU6 as Clip,
    /// and inference at another size than the trace's (64x64 here, for time;
    /// the graph has no fixed spatial size).
    func testTorchvisionNetworksRunInONNXRuntime() throws {
        for name in ["tv_resnet18", "tv_mobilenet_v2"] {
            let model = try network(name)
            let input = try Tensor.randn([2, 3, 64, 64], generator: RandomGenerator(seed: 9))
            let expected = try GradMode.withoutGradient { try model(input) }
            let bytes = try ONNXExport.encode(model, inputShape: [3, 64, 64])
            let (output, report) = try runInONNXRuntime(bytes, input: input)
            XCTAssertEqual(output.shape, [2, 10], name)
            print("\(name): \(bytes.count) bytes, max |onnxruntime - engine| = \(maximumDifference(output, expected))")
            XCTAssertLessThan(maximumDifference(output, expected), 1e-4, name)
            let nodes = report["nodes"] as? [String] ?? []
            XCTAssertEqual(nodes.contains("Clip"), name == "tv_mobilenet_v2", name)
            XCTAssertTrue(nodes.contains("MaxPool") == (name == "tv_resnet18"), name)
        }
    }

    /// A re-ID model: last stride 1 and the BN neck on the pooled features
    /// (a batch norm on [N, C] that follows no convolution, so it stays).
    func testReIDHeadRunsInONNXRuntime() throws {
        let model = try network("tv_resnet18", head: .reid, lastStride: 1)
        let input = try Tensor.randn([2, 3, 64, 64], generator: RandomGenerator(seed: 9))
        let expected = try GradMode.withoutGradient { try model(input) }
        let (output, report) = try runInONNXRuntime(try ONNXExport.encode(model, inputShape: [3, 64, 64]), input: input)
        XCTAssertEqual(output.shape, [2, 10])
        XCTAssertLessThan(maximumDifference(output, expected), 1e-4)
        XCTAssertTrue((report["nodes"] as? [String] ?? []).contains("BatchNormalization"))
    }

    func testBatchNormCanBeKeptAndTheBatchFixed() throws {
        let model = try network("resnet8", channels: 1)
        let input = try Tensor.randn([2, 1, 32, 32], generator: RandomGenerator(seed: 10))
        let expected = try GradMode.withoutGradient { try model(input) }
        let bytes = try ONNXExport.encode(model, inputShape: [1, 32, 32], batch: .fixed(2), foldBatchNorm: false)
        let (output, report) = try runInONNXRuntime(bytes, input: input)
        XCTAssertLessThan(maximumDifference(output, expected), 1e-4)
        XCTAssertTrue((report["nodes"] as? [String] ?? []).contains("BatchNormalization"))
        XCTAssertEqual("\((report["output"] as? [Any])?.last ?? "")", "[2, 10]")
    }

    /// W' = W·γ/√(var+ε), b' = (b−mean)·γ/√(var+ε)+β, on a one-conv graph.
    func testFoldingFollowsTheFormula() {
        var graph = ONNXGraph()
        graph.nodes = [.init(op: "Conv", inputs: ["input", "w"], outputs: ["c"]),
                       .init(op: "BatchNormalization", inputs: ["c", "g", "b", "m", "v"], outputs: ["logits"],
                             attributes: [.float("epsilon", 0.25)])]
        graph.initializers = [.init(name: "w", dimensions: [2, 1, 1, 2], values: .float([1, 2, 3, 4])),
                              .init(name: "g", dimensions: [2], values: .float([2, -1])),
                              .init(name: "b", dimensions: [2], values: .float([0.5, 1])),
                              .init(name: "m", dimensions: [2], values: .float([1, -2])),
                              .init(name: "v", dimensions: [2], values: .float([0.75, 3.75]))]
        BatchNormFolding.fold(&graph)
        XCTAssertEqual(graph.nodes.map(\.op), ["Conv"])
        XCTAssertEqual(graph.nodes[0].outputs, ["logits"])
        // s = 2/√1 = 2 and −1/√4 = −0.5.
        guard case .float(let weight)? = graph.initializer(named: graph.nodes[0].inputs[1])?.values,
              case .float(let bias)? = graph.initializer(named: graph.nodes[0].inputs[2])?.values else {
            return XCTFail("no folded initializers: \(graph.initializers.map(\.name))")
        }
        XCTAssertEqual(weight, [2, 4, -1.5, -2])
        XCTAssertEqual(bias, [-1.5, 0])  // (0 − 1)·2 + 0.5 and (0 + 2)·(−0.5) + 1
        XCTAssertEqual(graph.initializers.count, 2, "the unfolded tensors are dropped")
    }

    func testBadArgumentsAreNamed() throws {
        let model = try network("resnet8", channels: 1)
        XCTAssertThrowsError(try ONNXExport.encode(model, inputShape: [1, 32])) {
            XCTAssertEqual("\($0)", "ONNX export: the input shape must be [C, H, W] of positive sizes, got [1, 32]")
        }
        XCTAssertThrowsError(try ONNXExport.encode(model, inputShape: [1, 32, 32], batch: .fixed(0))) {
            XCTAssertEqual("\($0)", "ONNX export: a fixed batch size must be at least 1, got 0")
        }
    }
}
