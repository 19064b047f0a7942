import Foundation
import GirdTensor

/// What a network is made of, for one input shape: each convolution, batch
/// norm and linear layer in the order it runs, with its output shape,
/// parameters and multiply-accumulates, and the totals (torchinfo's table,
/// with ptflops's count of MACs).
///
/// MACs are the compression literature's convention: the multiply-
/// accumulates of convolutions (output elements x input channels per group
/// x kernel area) and linear layers (inputs x outputs), for one image.
/// Batch norm, activations, pooling and additions are not counted (batch
/// norm folds into the convolution before it at deployment).
public struct ModelSummary: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        /// The layer's `state_dict` prefix (`layer1.0.conv1`).
        public var name: String
        /// `Conv2d`, `BatchNorm2d`, `BatchNorm1d` or `Linear`, as PyTorch names the class.
        public var kind: String
        /// For the summary's whole input batch.
        public var outputShape: [Int]
        public var parameters: Int
        /// For one image.
        public var multiplyAccumulates: Int
    }

    public var network: String
    public var inputShape: [Int]
    public var rows: [Row]
    /// Every trainable value of the network (`parameterCount`), including
    /// any a forward pass did not reach.
    public var parameters: Int
    /// The rows' sum, for one image.
    public var multiplyAccumulates: Int

    /// Runs `network` once in eval mode, without gradients, on zeros of
    /// `inputShape` ([N, C, H, W]), and restores its mode.
    public static func make(_ network: Network, inputShape: [Int]) throws -> ModelSummary {
        guard inputShape.count == 4, inputShape.allSatisfy({ $0 > 0 }) else {
            throw TensorError.invalidArgument(
                op: "summary", message: "the input shape must be [N, C, H, W] of positive sizes, got \(formatShape(inputShape))")
        }
        try MemoryLimit.check(inputShape, what: "a summary's input of shape \(formatShape(inputShape))")
        var names: [ObjectIdentifier: String] = [:]
        func visit(_ module: Module, _ prefix: String) {
            names[ObjectIdentifier(module)] = prefix
            for (name, child) in module.children { visit(child, prefix.isEmpty ? name : prefix + "." + name) }
        }
        visit(network, "")
        let batch = inputShape[0]
        var rows: [Row] = []
        let wasTraining = network.isTraining
        network.eval()
        defer { if wasTraining { network.train() } }
        ForwardObserver.current = { layer, input, output in
            rows.append(Row(name: names[ObjectIdentifier(layer)] ?? "?", kind: kind(of: layer, output: output),
                            outputShape: output.shape, parameters: layer.parameterCount,
                            multiplyAccumulates: multiplyAccumulates(of: layer, input: input, output: output) / batch))
        }
        defer { ForwardObserver.current = nil }
        _ = try GradMode.withoutGradient { try network(Tensor.zeros(inputShape)) }
        return ModelSummary(network: network.name, inputShape: inputShape, rows: rows, parameters: network.parameterCount,
                            multiplyAccumulates: rows.reduce(0) { $0 + $1.multiplyAccumulates })
    }

    private static func kind(of layer: Layer, output: Tensor) -> String {
        switch layer {
        case is Conv2d: return "Conv2d"
        case is Linear: return "Linear"
        case is BatchNorm: return output.rank == 4 ? "BatchNorm2d" : "BatchNorm1d"
        default: return String(describing: type(of: layer))
        }
    }

    /// For the whole batch; the caller divides by its size.
    private static func multiplyAccumulates(of layer: Layer, input: Tensor, output: Tensor) -> Int {
        switch layer {
        case let conv as Conv2d:
            let kernel = conv.weight.shape  // [out, in / groups, kH, kW]
            return output.count * kernel[1] * kernel[2] * kernel[3]
        case let linear as Linear:
            return output.count * linear.weight.shape[1]
        default:
            return 0
        }
    }

    /// The table, torchinfo's columns: layer, kind, output shape, parameters,
    /// MACs; then the totals.
    public var table: String {
        let header = ["layer", "kind", "output", "params", "MACs"]
        let body = rows.map { [$0.name, $0.kind, formatShape($0.outputShape), grouped($0.parameters), grouped($0.multiplyAccumulates)] }
        let widths = (0..<header.count).map { column in ([header] + body).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index < 3 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                          : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        var text = line(header) + "\n" + String(repeating: "-", count: widths.reduce(0, +) + 8) + "\n"
        text += body.map(line).joined(separator: "\n")
        text += "\n\(network) on \(formatShape(inputShape)): \(grouped(parameters)) parameters (\(megabytes(parameters * 4)) MB as float32), "
            + "\(millions(multiplyAccumulates)) M MACs per image"
        return text
    }

    /// 1,234,567.
    func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }

    private func millions(_ value: Int) -> String { String(format: "%.2f", Double(value) / 1e6) }
    private func megabytes(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / 1_048_576) }
}
