/// The few in-place updates the engine allows: gradient accumulation and
/// optimizer steps on plain parameters and gradients. They bypass the tape.
extension Tensor {
    /// self += other (same shape, both plain).
    func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: \(shape) vs \(other.shape)")
        let x = mutableFloats.baseAddress!, y = other.plain().floats.baseAddress!
        for i in 0..<count { x[i] += y[i] }
    }
}

/// Public in-place updates, for optimizers and for loading weights into a
/// model that already exists (its parameters keep their identity, so an
/// optimizer holding them stays valid). They bypass the tape: never use
/// them on a tensor whose old value a recorded op still needs.
extension Tensor {
    /// Overwrites every value with those of `source` (same shape and dtype;
    /// any layout).
    public func copyValues(from source: Tensor) throws {
        guard source.shape == shape else { throw TensorError.shapeMismatch(op: "copyValues", lhs: shape, rhs: source.shape) }
        guard source.dtype == dtype else { throw TensorError.dtypeMismatch(op: "copyValues", expected: dtype, got: source.dtype) }
        guard !isBlocked else {
            throw TensorError.invalidArgument(op: "copyValues", message: "the destination must be a plain tensor (a parameter or buffer)")
        }
        let plainSource = source.plain()
        storage.pointer.copyMemory(from: plainSource.storage.pointer, byteCount: count * dtype.byteSize)
        plainCache = nil
    }

    /// self += scale · other, as BLAS's axpy (same shape, self plain float32).
    public func add(_ other: Tensor, scaledBy scale: Float) throws {
        guard other.shape == shape else { throw TensorError.shapeMismatch(op: "add(scaledBy:)", lhs: shape, rhs: other.shape) }
        guard dtype == .float32, other.dtype == .float32, !isBlocked else {
            throw TensorError.invalidArgument(op: "add(scaledBy:)", message: "both tensors must be float32, the destination plain")
        }
        let x = mutableFloats.baseAddress!, y = other.plain().floats.baseAddress!
        for i in 0..<count { x[i] += scale * y[i] }
    }

    /// self *= scale (self plain float32).
    public func scale(by scale: Float) throws {
        guard dtype == .float32, !isBlocked else {
            throw TensorError.invalidArgument(op: "scale(by:)", message: "the tensor must be plain float32")
        }
        let x = mutableFloats.baseAddress!
        for i in 0..<count { x[i] *= scale }
    }
}
