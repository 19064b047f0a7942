/// Folds each BatchNormalization that reads a Conv's output (and is its
/// only reader) into that Conv, as deployment toolchains do for a frozen
/// network: with s = γ / √(var + ε), W' = W · s per output channel and
/// b' = (b − mean) · s + β. Exact up to float rounding; the graph loses a
/// node and a pass over the activations per convolution.
enum BatchNormFolding {
    static func fold(_ graph: inout ONNXGraph) {
        var index = 0
        while index < graph.nodes.count {
            defer { index += 1 }
            let norm = graph.nodes[index]
            guard norm.op == "BatchNormalization",
                  let convIndex = graph.nodes.firstIndex(where: { $0.op == "Conv" && $0.outputs == [norm.inputs[0]] }),
                  graph.consumers(of: norm.inputs[0]) == [index],
                  let epsilon = epsilon(of: norm),
                  let weight = graph.initializer(named: graph.nodes[convIndex].inputs[1]),
                  case .float(let w) = weight.values,
                  let parameters = floats(graph, norm.inputs[1...4]) else { continue }
            let (gamma, beta, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
            let channels = weight.dimensions[0], perChannel = w.count / channels
            let conv = graph.nodes[convIndex]
            let bias = conv.inputs.count > 2 ? graph.initializer(named: conv.inputs[2]).flatMap { initializer -> [Float]? in
                if case .float(let values) = initializer.values { return values } else { return nil }
            } : nil
            var foldedWeight = w, foldedBias = [Float](repeating: 0, count: channels)
            for channel in 0..<channels {
                let scale = gamma[channel] / (variance[channel] + epsilon).squareRoot()
                for offset in 0..<perChannel { foldedWeight[channel * perChannel + offset] *= scale }
                foldedBias[channel] = ((bias?[channel] ?? 0) - mean[channel]) * scale + beta[channel]
            }
            let weightName = conv.inputs[1] + ".folded", biasName = conv.inputs[1].replacingSuffix("weight", with: "bias") + ".folded"
            graph.initializers.append(.init(name: weightName, dimensions: weight.dimensions, values: .float(foldedWeight)))
            graph.initializers.append(.init(name: biasName, dimensions: [channels], values: .float(foldedBias)))
            graph.nodes[convIndex].inputs = [conv.inputs[0], weightName, biasName]
            graph.nodes[convIndex].outputs = norm.outputs
            graph.nodes.remove(at: index)
            index -= 1
        }
        // Weights nothing reads any more (the unfolded ones, BN's statistics).
        let read = Set(graph.nodes.flatMap(\.inputs))
        graph.initializers.removeAll { !read.contains($0.name) }
    }

    private static func epsilon(of node: ONNXGraph.Node) -> Float? {
        for attribute in node.attributes {
            if case .float("epsilon", let value) = attribute { return value }
        }
        return nil
    }

    private static func floats(_ graph: ONNXGraph, _ names: ArraySlice<String>) -> [[Float]]? {
        var result: [[Float]] = []
        for name in names {
            guard let initializer = graph.initializer(named: name), case .float(let values) = initializer.values else { return nil }
            result.append(values)
        }
        return result
    }
}

private extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self + "." + replacement
    }
}
