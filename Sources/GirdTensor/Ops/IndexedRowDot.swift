/// Dot products of each row of a batch with rows picked from a bank, by
/// index: `result[b][m] = ⟨bank[indices[b][m]], self[b]⟩`. It is
/// `torch.bmm(bank[indices.view(-1)].view(B, M, D), x.view(B, D, 1))`
/// without the [B, M, D] gather, which for a contrastive memory (M = 16385
/// negatives and a positive, D = 128) would be half a gigabyte per step.
///
/// Backward, with g = d loss / d result:
///
///     d self[b]          = Σ_m g[b][m] · bank[indices[b][m]]
///     d bank[indices[b][m]] += g[b][m] · self[b]      (only if the bank records gradients)
extension Tensor {
    /// `self` is [B, D], `bank` [N, D] and `indices` int64 [B, M] (each in
    /// 0..<N); the result is [B, M].
    public func indexedRowDot(bank: Tensor, indices: Tensor) throws -> Tensor {
        guard dtype == .float32, bank.dtype == .float32 else {
            throw TensorError.dtypeMismatch(op: "indexedRowDot", expected: .float32, got: dtype == .float32 ? bank.dtype : dtype)
        }
        guard indices.dtype == .int64 else { throw TensorError.dtypeMismatch(op: "indexedRowDot", expected: .int64, got: indices.dtype) }
        guard rank == 2, bank.rank == 2, indices.rank == 2, bank.shape[1] == shape[1], indices.shape[0] == shape[0] else {
            throw TensorError.invalidArgument(
                op: "indexedRowDot",
                message: "needs rows [B, D], a bank [N, D] and indices [B, M], got \(formatShape(shape)), \(formatShape(bank.shape)) and \(formatShape(indices.shape))")
        }
        try Tensor.checkIndices(indices, below: bank.shape[0], dimension: 0, op: "indexedRowDot")
        let (batch, picks, width) = (shape[0], indices.shape[1], shape[1])
        let rows = plain().detach(), table = bank.plain().detach()
        let result = Tensor.uninitialized([batch, picks])
        let x = rows.floats.baseAddress!, w = table.floats.baseAddress!, out = result.mutableFloats.baseAddress!
        let index = indices.indices
        for b in 0..<batch {
            for m in 0..<picks {
                out[b * picks + m] = VectorKernels.dot(w + Int(index[b * picks + m]) * width, x + b * width, width)
            }
        }
        let bankShape = bank.shape
        return result.recorded("indexedRowDot", [self, bank]) { g in
            let dy = g.plain().floats, index = indices.indices
            let x = rows.floats.baseAddress!, w = table.floats.baseAddress!
            let gradRows = Tensor.zeros([batch, width])
            let gradBank: Tensor? = bank.requiresGrad ? Tensor.zeros(bankShape) : nil
            let dx = gradRows.mutableFloats.baseAddress!
            for b in 0..<batch {
                for m in 0..<picks {
                    let weight = dy[b * picks + m], row = Int(index[b * picks + m]) * width
                    guard weight != 0 else { continue }
                    Tensor.accumulate(weight, w + row, into: dx + b * width, width)
                    if let gradBank {
                        Tensor.accumulate(weight, x + b * width, into: gradBank.mutableFloats.baseAddress! + row, width)
                    }
                }
            }
            return [gradRows, gradBank]
        }
    }

    /// y += a · x over n floats, sixteen lanes at a time (the backward runs
    /// B · (K + 1) of these, 128 wide, per step of a contrastive memory).
    private static func accumulate(_ a: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let scale = SIMD16<Float>(repeating: a)
        var i = 0
        while i + 16 <= n {
            let sum = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                + scale * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            ry.storeBytes(of: sum, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }
}
