/// Joining tensors along an existing axis, as `torch.cat`. Each input is
/// copied into its stretch of the result; the backward cuts the gradient
/// into the same stretches.
extension Tensor {
    /// The tensors one after the other along `axis`. They share a dtype and
    /// a rank, and their sizes agree on every other axis; a part of size 0
    /// along `axis` is allowed and contributes nothing.
    public static func concatenated(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidArgument(op: "concatenate", message: "needs at least one tensor")
        }
        let dimension = try ShapeRules.normalizeAxis(axis, rank: first.rank, op: "concatenate")
        guard first.rank > 0 else {
            throw TensorError.invalidArgument(op: "concatenate", message: "cannot concatenate scalars (rank 0); unsqueeze them first")
        }
        for tensor in tensors.dropFirst() {
            guard tensor.dtype == first.dtype else {
                throw TensorError.dtypeMismatch(op: "concatenate", expected: first.dtype, got: tensor.dtype)
            }
            var expected = first.shape
            if tensor.rank == first.rank { expected[dimension] = tensor.shape[dimension] }
            guard tensor.shape == expected else {
                throw TensorError.invalidArgument(
                    op: "concatenate",
                    message: "shapes \(formatShape(first.shape)) and \(formatShape(tensor.shape)) differ outside dimension \(dimension)")
            }
        }
        if tensors.count == 1 { return first }

        let sizes = tensors.map { $0.shape[dimension] }
        var shape = first.shape
        shape[dimension] = sizes.reduce(0, +)
        let result = Tensor.uninitialized(shape, dtype: first.dtype)
        let strides = ShapeRules.strides(shape)
        var start = 0
        for (tensor, size) in zip(tensors, sizes) {
            StridedCopy.copy(from: tensor.plain(), .contiguous(tensor.shape),
                             to: result, StridedView(shape: tensor.shape, strides: strides, offset: start * strides[dimension]))
            start += size
        }
        return result.recorded("concatenate", tensors) { g in
            var start = 0
            return try zip(tensors, sizes).map { tensor, size in
                defer { start += size }
                return tensor.requiresGrad ? try g.narrowed(axis: dimension, start: start, length: size) : nil
            }
        }
    }
}
