/// Matrix products: `a @ b` for matrices, and batched over leading axes that
/// broadcast like NumPy's `matmul`. Each batch is one OpenBLAS sgemm; the
/// backward passes are sgemms with transposed operands, never a transposed copy.
extension Tensor {
    /// `op(a) @ op(b)`, either operand read transposed in its last two axes
    /// when asked. Static, as every op on peer tensors (`docs/engine.md`).
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
        try Cancellation.checkpoint()
        guard a.dtype == .float32, b.dtype == .float32 else {
            throw TensorError.dtypeMismatch(op: "matmul", expected: .float32, got: a.dtype == .float32 ? b.dtype : a.dtype)
        }
        guard a.rank >= 2, b.rank >= 2 else {
            throw TensorError.invalidArgument(
                op: "matmul", message: "operands must have at least 2 dimensions, got \(formatShape(a.shape)) and \(formatShape(b.shape))")
        }
        let (aRows, aCols) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (bRows, bCols) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (aCols, aRows) : (aRows, aCols)
        let (k2, n) = transposeB ? (bCols, bRows) : (bRows, bCols)
        guard k == k2 else { throw TensorError.shapeMismatch(op: "matmul", lhs: a.shape, rhs: b.shape) }
        let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
        let batch = try ShapeRules.broadcast(aBatch, bBatch, op: "matmul")
        let result = Tensor.uninitialized(batch + [m, n])
        let x = a.plain().floats.baseAddress!, y = b.plain().floats.baseAddress!
        let out = result.mutableFloats.baseAddress!
        let batchCount = ShapeRules.count(batch)
        if batchCount > 0 {
            let aStrides = ShapeRules.broadcastStrides(aBatch, to: batch)
            let bStrides = ShapeRules.broadcastStrides(bBatch, to: batch)
            let batchStrides = ShapeRules.strides(batch)
            for index in 0..<batchCount {
                var aOffset = 0, bOffset = 0, rest = index
                for axis in batch.indices {
                    let position = rest / batchStrides[axis]
                    rest %= batchStrides[axis]
                    aOffset += position * aStrides[axis]
                    bOffset += position * bStrides[axis]
                }
                BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                          a: x + aOffset * aRows * aCols, b: y + bOffset * bRows * bCols,
                          c: out + index * m * n)
            }
        }
        let (av, bv) = (a.detach(), b.detach())
        return result.recorded("matmul", [a, b]) { g in
            // C = op(A) op(B): dop(A) = G op(B)^T and dop(B) = op(A)^T G;
            // a transposed operand takes the transpose of that.
            var gradA: Tensor? = nil, gradB: Tensor? = nil
            if a.requiresGrad {
                gradA = transposeA
                    ? try matmul(bv, g, transposeA: transposeB, transposeB: true)
                    : try matmul(g, bv, transposeA: false, transposeB: !transposeB)
                gradA = try gradA!.sumToShape(a.shape)
            }
            if b.requiresGrad {
                gradB = transposeB
                    ? try matmul(g, av, transposeA: true, transposeB: transposeA)
                    : try matmul(av, g, transposeA: !transposeA, transposeB: false)
                gradB = try gradB!.sumToShape(b.shape)
            }
            return [gradA, gradB]
        }
    }
}
