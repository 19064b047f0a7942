import Foundation
import GirdNN
import GirdTensor

/// A network as an ONNX file (opset 13, weights inside), for onnxruntime,
/// TensorRT, OpenVINO and the rest: the network runs once in eval mode on a
/// batch of zeros while `OpTrace` records its ops (as `torch.onnx.export`
/// traces), each op becomes ONNX operators, batch norm is folded into the
/// convolution before it (unless `foldBatchNorm` is false), and protobuf-c
/// encodes the model. The input is named `input` ([batch, C, H, W]), the
/// output `logits` ([batch, classes]).
///
///     try ONNXExport.write(student, inputShape: [1, 32, 32], to: "resnet8.onnx")
public enum ONNXExport {
    public enum Batch: Equatable, Sendable {
        /// A symbolic first axis, "batch": any batch size runs.
        case dynamic
        case fixed(Int)
    }

    public static func write(_ network: Network, inputShape: [Int], to path: String, batch: Batch = .dynamic,
                             foldBatchNorm: Bool = true) throws {
        let bytes = try encode(network, inputShape: inputShape, batch: batch, foldBatchNorm: foldBatchNorm)
        do {
            try AtomicFileWriter.write(bytes, to: path)
        } catch {
            throw ONNXExportError.cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The file's bytes.
    public static func encode(_ network: Network, inputShape: [Int], batch: Batch = .dynamic,
                              foldBatchNorm: Bool = true) throws -> [UInt8] {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ONNXExportError.invalidArgument("the input shape must be [C, H, W] of positive sizes, got \(inputShape)")
        }
        if case .fixed(let size) = batch, size < 1 {
            throw ONNXExportError.invalidArgument("a fixed batch size must be at least 1, got \(size)")
        }
        let wasTraining = network.isTraining
        network.eval()
        defer { if wasTraining { network.train() } }
        // Batch 2: a batch axis of 1 could hide an op that mixes the batch.
        let input = Tensor.zeros([2] + inputShape)
        let recorder = ONNXTraceRecorder(input: input, network: network)
        let output: Tensor
        OpTrace.current = recorder
        do {
            defer { OpTrace.current = nil }
            output = try GradMode.withoutGradient { try network(input) }
        }
        var graph = try recorder.finish(output: output)
        if foldBatchNorm { BatchNormFolding.fold(&graph) }
        let fixed: Int?
        if case .fixed(let size) = batch { fixed = size } else { fixed = nil }
        return ONNXModelEncoder().encode(graph, name: network.name, inputShape: [2] + inputShape,
                                         outputShape: output.shape, batch: fixed)
    }
}
