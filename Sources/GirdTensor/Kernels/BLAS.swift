import COpenBLAS

/// Row-major single-precision matrix products through OpenBLAS.
enum BLAS {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, where op transposes when asked.
    /// `a` is stored m×k (k×m if transposed), `b` k×n (n×k if transposed).
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                     beta: Float = 0, c: UnsafeMutablePointer<Float>) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // OpenBLAS leaves C untouched for k = 0; the product is zero.
            for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : beta * c[i] }
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(transposeA ? m : k),
                    b, Int32(transposeB ? k : n),
                    beta, c, Int32(n))
    }
}
