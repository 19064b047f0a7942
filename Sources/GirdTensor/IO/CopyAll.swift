extension Tensor {
    /// Copies each source's values into its destination, all or nothing:
    /// every pair is checked first (same shape, same dtype, a plain
    /// destination), so that a refused pair leaves every destination as it
    /// was. For loading weights into a model whose parameters must keep their
    /// identity; like `copyValues(from:)`, it bypasses the tape.
    public static func copyValues(_ assignments: [(destination: Tensor, source: Tensor)]) throws {
        for (destination, source) in assignments {
            guard source.shape == destination.shape else {
                throw TensorError.shapeMismatch(op: "copyValues", lhs: destination.shape, rhs: source.shape)
            }
            guard source.dtype == destination.dtype else {
                throw TensorError.dtypeMismatch(op: "copyValues", expected: destination.dtype, got: source.dtype)
            }
            guard !destination.isBlocked else {
                throw TensorError.invalidArgument(op: "copyValues", message: "the destination must be a plain tensor (a parameter or buffer)")
            }
        }
        for (destination, source) in assignments {
            try destination.copyValues(from: source)
        }
    }
}
