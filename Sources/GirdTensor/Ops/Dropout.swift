/// Inverted dropout, as `F.dropout`: in training each element is zeroed
/// with probability p and the survivors are scaled by 1/(1 − p), so that
/// the expected value is unchanged and evaluation needs no rescaling.
///
/// The mask is drawn from `generator`, one word per element in row-major
/// order (an element is kept when its uniform draw is at least p), so two
/// generators in the same state give the same mask. The product with the
/// mask is an ordinary `*`, whose backward multiplies the gradient by the
/// same mask.
extension Tensor {
    public func dropout(probability: Float, training: Bool, generator: RandomGenerator) throws -> Tensor {
        guard probability >= 0, probability <= 1 else {
            throw TensorError.invalidArgument(op: "dropout", message: "probability must be in [0, 1], got \(probability)")
        }
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "dropout", expected: .float32, got: dtype) }
        guard training, probability > 0 else { return self }
        let scale = probability < 1 ? 1 / (1 - probability) : 0
        let mask = Tensor.uninitialized(shape)
        let values = mask.mutableFloats
        generator.fillUniform(values)
        for i in values.indices { values[i] = values[i] >= probability ? scale : 0 }
        return try self * mask
    }
}
