/// Overwriting chosen rows of a tensor in place, as `Tensor.index_copy_(0,
/// indices, source)`: for a memory bank that keeps one row per training
/// image and refreshes the rows of each batch. It bypasses the tape, like
/// the other in-place updates: never use it on a tensor whose old values a
/// recorded op still needs.
extension Tensor {
    /// `self[indices[i]] = source[i]` along the first axis. `self` is plain
    /// float32; `source` has `indices.count` rows of `self`'s row shape. A
    /// repeated index takes the last of its rows.
    public func indexCopy(rows indices: [Int], from source: Tensor) throws {
        guard dtype == .float32, source.dtype == .float32, !isBlocked, rank >= 1 else {
            throw TensorError.invalidArgument(op: "indexCopy", message: "needs a plain float32 destination of rank at least 1 and a float32 source")
        }
        guard source.shape == [indices.count] + shape.dropFirst() else {
            throw TensorError.shapeMismatch(op: "indexCopy", lhs: shape, rhs: source.shape)
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= shape[0] }) {
            throw TensorError.invalidArgument(op: "indexCopy", message: "index \(bad) is out of range for dimension 0 of size \(shape[0])")
        }
        let width = shape.dropFirst().reduce(1, *)
        let from = source.plain().floats.baseAddress!, to = mutableFloats.baseAddress!
        for (position, row) in indices.enumerated() {
            (to + row * width).update(from: from + position * width, count: width)
        }
        plainCache = nil
    }
}
