/// Reordering axes. The result is a materialised copy (GIRD has no strided
/// views): every op after it reads plain row-major memory. The backward
/// permutes the gradient back by the inverse permutation.
extension Tensor {
    /// The axes in the order `axes` gives, as `torch.permute`: axis i of the
    /// result is axis `axes[i]` of `self`.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        let order = try axes.map { try ShapeRules.normalizeAxis($0, rank: rank, op: "permute") }
        guard order.count == rank, Set(order).count == rank else {
            throw TensorError.invalidArgument(
                op: "permute", message: "\(axes) is not a permutation of the axes of a tensor of shape \(formatShape(shape))")
        }
        if order == Array(0..<rank) { return self }
        let strides = ShapeRules.strides(shape)
        let result = materialized(StridedView(shape: order.map { shape[$0] }, strides: order.map { strides[$0] }))
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        return result.recorded("permute", [self]) { g in [try g.permuted(inverse)] }
    }

    /// `self` with axes `first` and `second` swapped, as `torch.transpose`.
    public func transposed(_ first: Int, _ second: Int) throws -> Tensor {
        let a = try ShapeRules.normalizeAxis(first, rank: rank, op: "transpose")
        let b = try ShapeRules.normalizeAxis(second, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        if rank > 0 { order.swapAt(a, b) }
        return try permuted(order)
    }
}
