/// Constant padding of the last dimensions, as `F.pad(x, pad, value=...)`.
/// The input is copied into the inside of a filled result; the backward
/// cuts the inside back out of the gradient.
extension Tensor {
    /// `padding` lists (before, after) pairs starting from the last axis,
    /// as PyTorch does: `[left, right, top, bottom]` pads width then height
    /// of an NCHW tensor. Sizes must not be negative (no cropping).
    public func padded(_ padding: [Int], value: Float = 0) throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "pad", expected: .float32, got: dtype) }
        guard padding.count % 2 == 0, padding.count / 2 <= rank, padding.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(
                op: "pad",
                message: "padding \(padding) must be non-negative (before, after) pairs for at most the \(rank) dimensions of \(formatShape(shape))")
        }
        if padding.allSatisfy({ $0 == 0 }) { return self }
        let pairs = padding.count / 2
        var outShape = shape
        for pair in 0..<pairs { outShape[rank - 1 - pair] += padding[2 * pair] + padding[2 * pair + 1] }
        let outStrides = ShapeRules.strides(outShape)
        let offset = (0..<pairs).reduce(0) { $0 + padding[2 * $1] * outStrides[rank - 1 - $1] }
        let inside = StridedView(shape: shape, strides: outStrides, offset: offset)
        return embedded(in: outShape, at: inside, fill: value)
            .recorded("pad", [self]) { g in [g.materialized(inside)] }
    }
}
