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
