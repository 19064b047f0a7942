/// Cutting out part of one axis: `x[..., start:end:step, ...]` and
/// `torch.narrow`. The result is a copy; the backward writes the gradient
/// back into the positions it came from, zeros elsewhere.
extension Tensor {
    /// The positions start, start + step, ... below `end` along `axis`, with
    /// Python's rules: negative bounds count from the end, bounds outside
    /// the axis are clamped to it, an empty range gives size 0. `end` nil
    /// means the end of the axis. `step` must be positive, as in PyTorch.
    public func sliced(axis: Int, start: Int = 0, end: Int? = nil, step: Int = 1) throws -> Tensor {
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: "slice")
        guard rank > 0 else {
            throw TensorError.invalidArgument(op: "slice", message: "cannot slice a scalar (rank 0)")
        }
        guard step > 0 else {
            throw TensorError.invalidArgument(op: "slice", message: "step must be positive, got \(step)")
        }
        let size = shape[dimension]
        func clamped(_ bound: Int) -> Int { Swift.min(Swift.max(bound < 0 ? bound + size : bound, 0), size) }
        let first = clamped(start), last = clamped(end ?? size)
        let length = last > first ? (last - first + step - 1) / step : 0
        if first == 0 && length == size && step == 1 { return self }

        var view = StridedView.contiguous(shape)
        view.offset = first * view.strides[dimension]
        view.shape[dimension] = length
        view.strides[dimension] *= step
        let inputShape = shape
        return materialized(view).recorded("slice", [self]) { g in [g.embedded(in: inputShape, at: view)] }
    }

    /// `length` positions from `start` along `axis`, as `torch.narrow`:
    /// unlike `sliced`, a range outside the axis is an error. A negative
    /// `start` counts from the end.
    public func narrowed(axis: Int, start: Int, length: Int) throws -> Tensor {
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: "narrow")
        let size = rank > 0 ? shape[dimension] : 0
        let first = start < 0 ? start + size : start
        guard rank > 0, first >= 0, length >= 0, first + length <= size else {
            throw TensorError.invalidArgument(
                op: "narrow",
                message: "start \(start) and length \(length) do not fit dimension \(dimension) of shape \(formatShape(shape))")
        }
        return try sliced(axis: dimension, start: first, end: first + length)
    }
}
