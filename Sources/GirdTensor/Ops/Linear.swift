/// A fully connected layer's arithmetic, as `F.linear`: y = x Wᵀ + b with
/// W stored [out, in] (PyTorch's layout, so `state_dict` weights load as
/// they are). Any leading axes of x are batch axes: they are folded into one
/// for a single sgemm that reads W transposed in place, and the backward is
/// that of the matmul, reshape and broadcast add it is made of.
extension Tensor {
    public static func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        try OpTrace.traced(.linear, [input, weight, bias]) {
            guard weight.rank == 2, input.rank >= 1, input.shape.last == weight.shape[1] else {
                throw TensorError.shapeMismatch(op: "linear", lhs: input.shape, rhs: weight.shape)
            }
            if let bias, bias.shape != [weight.shape[0]] {
                throw TensorError.shapeMismatch(op: "linear", lhs: weight.shape, rhs: bias.shape)
            }
            let rows = try input.reshaped([input.shape.dropLast().reduce(1, *), weight.shape[1]])
            var output = try matmul(rows, weight, transposeA: false, transposeB: true)
            if let bias { output = try output + bias }
            return try output.reshaped(input.shape.dropLast() + [weight.shape[0]])
        }
    }
}
