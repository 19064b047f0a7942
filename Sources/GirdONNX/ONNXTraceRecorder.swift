import GirdNN
import GirdTensor

/// Turns a traced forward pass (`OpTrace`) into an ONNX graph: each op's
/// tensors get names (the network's input, its parameters and buffers by
/// their `state_dict` names, everything else by order), and each op becomes
/// the ONNX operators that compute it in eval mode.
final class ONNXTraceRecorder: OpTraceRecorder {
    private(set) var graph = ONNXGraph()
    /// The first op the trace cannot express, thrown after the pass.
    private(set) var failure: ONNXExportError?
    private var names: [ObjectIdentifier: String] = [:]
    private var knownConstants: [ObjectIdentifier: String] = [:]
    private var counter = 0
    /// Keeps every traced tensor alive, so that no identifier is reused.
    private var retained: [Tensor] = []

    init(input: Tensor, network: Network) {
        names[ObjectIdentifier(input)] = graph.inputName
        retained.append(input)
        for (name, tensor) in network.stateDictionary() { knownConstants[ObjectIdentifier(tensor)] = name }
    }

    /// The graph with the network's output renamed `logits`.
    func finish(output: Tensor) throws -> ONNXGraph {
        if let failure { throw failure }
        guard let name = names[ObjectIdentifier(output)] else { throw ONNXExportError.notTraced("the network's output") }
        for index in graph.nodes.indices {
            graph.nodes[index].outputs = graph.nodes[index].outputs.map { $0 == name ? graph.outputName : $0 }
            graph.nodes[index].inputs = graph.nodes[index].inputs.map { $0 == name ? graph.outputName : $0 }
        }
        return graph
    }

    func record(_ op: TracedOp, inputs: [Tensor?], outputs: [Tensor]) {
        guard failure == nil else { return }
        do {
            try append(op, inputs: inputs, outputs: outputs)
        } catch let error as ONNXExportError {
            failure = error
        } catch {
            failure = .unsupported("\(op): \(error)")
        }
    }

    private func fresh(_ stem: String) -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    private func output(_ tensor: Tensor) -> String {
        retained.append(tensor)
        let name = fresh("t")
        names[ObjectIdentifier(tensor)] = name
        return name
    }

    /// The name of a tensor an op reads: produced earlier in the pass, or
    /// else a constant (a parameter or buffer by its name) added as an initializer.
    private func input(_ tensor: Tensor) throws -> String {
        if let name = names[ObjectIdentifier(tensor)] { return name }
        let name = knownConstants[ObjectIdentifier(tensor)] ?? fresh("constant")
        graph.initializers.append(.init(name: name, dimensions: tensor.shape, values: .float(tensor.toArray())))
        names[ObjectIdentifier(tensor)] = name
        retained.append(tensor)
        return name
    }

    private func constant(_ stem: String, _ values: [Int64]) -> String {
        let name = fresh(stem)
        graph.initializers.append(.init(name: name, dimensions: [values.count], values: .int64(values)))
        return name
    }

    private func constant(_ stem: String, floats values: [Float]) -> String {
        let name = fresh(stem)
        graph.initializers.append(.init(name: name, dimensions: [values.count], values: .float(values)))
        return name
    }

    private func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [ONNXGraph.Attribute] = []) {
        graph.nodes.append(.init(op: op, inputs: inputs, outputs: outputs, attributes: attributes))
    }

    /// The channel shuffle: [N, C, H, W] as [N, g, C/g, H, W], the two
    /// group axes swapped, and back (0 in a shape keeps the batch size).
    private func shuffle(_ x: String, groups: Int, into result: Tensor) {
        let shape = result.shape.map(Int64.init), split = fresh("t"), swapped = fresh("t")
        node("Reshape", [x, constant("shape", [0, Int64(groups), shape[1] / Int64(groups), shape[2], shape[3]])], [split])
        node("Transpose", [split], [swapped], [.ints("perm", [0, 2, 1, 3, 4])])
        node("Reshape", [swapped, constant("shape", [0, shape[1], shape[2], shape[3]])], [output(result)])
    }

    private func append(_ op: TracedOp, inputs: [Tensor?], outputs: [Tensor]) throws {
        let x = try inputs.first.flatMap { $0 }.map(input) ?? ""
        switch op {
        case let .conv2d(stride, padding, dilation, groups):
            var names = [x, try input(inputs[1]!)]
            if let bias = inputs[2] { names.append(try input(bias)) }
            let kernel = Array(inputs[1]!.shape[2...])
            node("Conv", names, [output(outputs[0])], [
                .ints("kernel_shape", kernel), .ints("strides", stride), .ints("dilations", dilation),
                .ints("pads", padding + padding), .int("group", groups)])
        case let .batchNorm(epsilon, training):
            guard !training else { throw ONNXExportError.unsupported("batch norm in training mode (export puts the network in eval mode)") }
            let channels = inputs[0]!.shape[1]
            let scale = try inputs[1].map(input) ?? constant("ones", floats: Array(repeating: 1, count: channels))
            let shift = try inputs[2].map(input) ?? constant("zeros", floats: Array(repeating: 0, count: channels))
            node("BatchNormalization", [x, scale, shift, try input(inputs[3]!), try input(inputs[4]!)], [output(outputs[0])],
                 [.float("epsilon", epsilon)])
        case .relu:
            node("Relu", [x], [output(outputs[0])])
        case let .clip(low, high):
            // Opset 13's Clip takes its bounds as scalar (rank-0) inputs.
            let bounds = [low, high].map { value in
                let name = fresh("bound")
                graph.initializers.append(.init(name: name, dimensions: [], values: .float([value])))
                return name
            }
            node("Clip", [x] + bounds, [output(outputs[0])])
        case .add:
            node("Add", [x, try input(inputs[1]!)], [output(outputs[0])])
        case let .maxPool2d(kernel, stride, padding):
            node("MaxPool", [x], [output(outputs[0])], [.ints("kernel_shape", kernel), .ints("strides", stride),
                                                         .ints("pads", padding + padding)])
        case let .avgPool2d(kernel, stride, padding):
            node("AveragePool", [x], [output(outputs[0])], [.ints("kernel_shape", kernel), .ints("strides", stride),
                                                             .ints("pads", padding + padding), .int("count_include_pad", 1)])
        case let .adaptiveAvgPool2d(size):
            let plane = Array(inputs[0]!.shape[2...])
            if size == [1, 1] {
                node("GlobalAveragePool", [x], [output(outputs[0])])
            } else if plane[0] % size[0] == 0, plane[1] % size[1] == 0 {
                // Equal bins: an ordinary average pool.
                let kernel = [plane[0] / size[0], plane[1] / size[1]]
                node("AveragePool", [x], [output(outputs[0])], [.ints("kernel_shape", kernel), .ints("strides", kernel)])
            } else {
                throw ONNXExportError.unsupported("adaptive average pooling of \(plane) to \(size) (unequal bins)")
            }
        case .globalAvgPool:
            let pooled = fresh("t")
            node("GlobalAveragePool", [x], [pooled])
            node("Flatten", [pooled], [output(outputs[0])], [.int("axis", 1)])
        case let .flatten(start):
            guard start == 1 else { throw ONNXExportError.unsupported("flatten from axis \(start)") }
            node("Flatten", [x], [output(outputs[0])], [.int("axis", 1)])
        case .linear:
            guard inputs[0]!.rank == 2 else { throw ONNXExportError.unsupported("linear of a rank-\(inputs[0]!.rank) input") }
            var names = [x, try input(inputs[1]!)]
            if let bias = inputs[2] { names.append(try input(bias)) }
            node("Gemm", names, [output(outputs[0])], [.int("transB", 1)])
        case let .concatenateChannels(groups):
            let parts = try inputs.map { try input($0!) }
            guard groups > 1 else {
                node("Concat", parts, [output(outputs[0])], [.int("axis", 1)])
                return
            }
            let joined = fresh("t")
            node("Concat", parts, [joined], [.int("axis", 1)])
            shuffle(joined, groups: groups, into: outputs[0])
        case let .channelShuffle(groups):
            shuffle(x, groups: groups, into: outputs[0])
        case let .splitChannels(sizes):
            node("Split", [x, constant("split", sizes.map(Int64.init))], outputs.map(output), [.int("axis", 1)])
        }
    }
}

public enum ONNXExportError: Error, Equatable, CustomStringConvertible {
    case unsupported(String)
    case notTraced(String)
    case cannotWrite(path: String, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unsupported(let what): return "ONNX export: cannot express \(what)"
        case .notTraced(let what): return "ONNX export: \(what) was not computed by a traced op"
        case .cannotWrite(let path, let reason): return "ONNX export: cannot write \(path): \(reason)"
        case .invalidArgument(let message): return "ONNX export: \(message)"
        }
    }
}
