import GirdTensor

/// How tensors look to a recipe user in lists and `print`: their values when
/// small, a summary otherwise. (`show` draws them: `ViewBuiltins.swift`.)
enum TensorDisplay {
    /// Small tensors print their values; larger ones their summary.
    static func short(_ tensor: Tensor) -> String {
        if tensor.count <= 16 {
            return "tensor(\(nested(tensor)))"
        }
        return "tensor(\(summary(tensor)))"
    }

    /// Values as nested lists, row-major.
    static func nested(_ tensor: Tensor) -> String {
        let values: [String] = tensor.dtype == .int64
            ? tensor.toIndices().map { String($0) }
            : tensor.toArray().map { Value.format(Double($0)) }
        if tensor.rank == 0 { return values.first ?? "" }
        var position = 0
        func level(_ axis: Int) -> String {
            if axis == tensor.rank - 1 {
                let row = values[position..<position + tensor.shape[axis]]
                position += tensor.shape[axis]
                return "[" + row.joined(separator: ", ") + "]"
            }
            return "[" + (0..<tensor.shape[axis]).map { _ in level(axis + 1) }.joined(separator: ", ") + "]"
        }
        return level(0)
    }

    /// `shape [2, 3] float32, min -1.2 mean 0.03 max 2.1, 0 NaN`.
    static func summary(_ tensor: Tensor) -> String {
        var text = "shape \(formatShape(tensor.shape)) \(tensor.dtype)"
        let values = tensor.toArray()
        if values.isEmpty { return text + ", empty" }
        var low = Float.infinity, high = -Float.infinity, sum = 0.0, nans = 0, finite = 0
        for v in values {
            if v.isNaN { nans += 1; continue }
            low = min(low, v)
            high = max(high, v)
            sum += Double(v)
            finite += 1
        }
        if finite > 0 {
            let mean = sum / Double(finite)
            text += ", min \(fixed(Double(low))) mean \(fixed(mean)) max \(fixed(Double(high)))"
        }
        text += ", \(nans) NaN"
        if tensor.requiresGrad { text += ", requires grad" }
        return text
    }

    /// Four significant decimals, as a table would show them.
    static func fixed(_ x: Double) -> String {
        if x.isNaN || x.isInfinite { return Value.format(x) }
        if x != 0 && (abs(x) >= 1e6 || abs(x) < 1e-4) {
            return Value.format(Double(Float(x)))
        }
        return Formatting.fixed(x, digits: 4)
    }
}
