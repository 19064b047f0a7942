/// Loops over float buffers that the compiler cannot vectorise on its own:
/// reductions (strict FP order stops it), so they are written with SIMD16
/// and four accumulators (measured 15-23x over a naive loop, native-libs §5).
/// The summation order is fixed, so results are bit-identical run to run.
enum VectorKernels {
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var i = 0
        while i + 64 <= n {
            a0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            a1 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            a2 += raw.loadUnaligned(fromByteOffset: (i + 32) * 4, as: SIMD16<Float>.self)
            a3 += raw.loadUnaligned(fromByteOffset: (i + 48) * 4, as: SIMD16<Float>.self)
            i += 64
        }
        while i + 16 <= n {
            a0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        var total = ((a0 + a1) + (a2 + a3)).sum()
        while i < n { total += x[i]; i += 1 }
        return total
    }

    /// Sum with a stride, for reductions along a non-inner axis.
    static func sum(_ x: UnsafePointer<Float>, _ n: Int, stride: Int) -> Float {
        if stride == 1 { return sum(x, n) }
        var total: Float = 0
        for i in 0..<n { total += x[i * stride] }
        return total
    }

    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            a0 += rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                * ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            a1 += rx.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                * ry.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        var total = (a0 + a1).sum()
        while i < n { total += x[i] * y[i]; i += 1 }
        return total
    }

    static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var best = -Float.infinity
        for i in 0..<n where x[i] > best || x[i].isNaN { best = x[i]; if best.isNaN { return best } }
        return best
    }

    /// Counts NaN and infinite values: the cheap check a training loop runs
    /// on every loss.
    static func nonFiniteCount(_ x: UnsafePointer<Float>, _ n: Int) -> Int {
        var count = 0
        for i in 0..<n where !x[i].isFinite { count += 1 }
        return count
    }
}
