/// Removing and inserting axes of size 1: reshapes, so they share storage
/// and their backward is a reshape back.
extension Tensor {
    /// `self` without `axis` if its size is 1, else `self` unchanged, as
    /// `torch.squeeze(x, dim)`.
    public func squeezed(axis: Int) throws -> Tensor {
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: "squeeze")
        guard rank > 0, shape[dimension] == 1 else { return self }
        var newShape = shape
        newShape.remove(at: dimension)
        return try reshaped(newShape)
    }

    /// `self` without any axis of size 1, as `torch.squeeze(x)`.
    public func squeezed() throws -> Tensor {
        try reshaped(shape.filter { $0 != 1 })
    }

    /// `self` with a new axis of size 1 at position `axis` of the result
    /// (so -1 appends one), as `torch.unsqueeze`.
    public func unsqueezed(axis: Int) throws -> Tensor {
        let position = try ShapeRules.normalizeAxis(axis, rank: rank + 1, op: "unsqueeze")
        var newShape = shape
        newShape.insert(1, at: position)
        return try reshaped(newShape)
    }
}
