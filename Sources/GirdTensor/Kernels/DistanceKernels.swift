/// The inner loops of pairwise distances. The squared distance is a
/// reduction, so it is written with SIMD16 and two accumulators (a naive
/// float reduction does not vectorise, native-libs §5); the gradient
/// update is element-wise and vectorises on its own.
extension VectorKernels {
    /// Σ_k (x_k − y_k)².
    static func squaredDistance(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            let d0 = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                - ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let d1 = rx.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                - ry.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            a0 += d0 * d0
            a1 += d1 * d1
            i += 32
        }
        var total = (a0 + a1).sum()
        while i < n {
            let d = x[i] - y[i]
            total += d * d
            i += 1
        }
        return total
    }

    /// gx += w (x − y) and gy −= w (x − y): one pair's share of the gradient
    /// of a distance whose derivative along x − y is w.
    static func accumulatePairGradient(_ w: Float, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                       _ gx: UnsafeMutablePointer<Float>, _ gy: UnsafeMutablePointer<Float>, _ n: Int) {
        for k in 0..<n {
            let step = w * (x[k] - y[k])
            gx[k] += step
            gy[k] -= step
        }
    }
}
