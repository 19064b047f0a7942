/// Batch norm's per-channel reductions in training mode, accumulated in
/// Double, as PyTorch's CPU kernels accumulate float (`acc_type<float>` is
/// double there).
///
/// Why not oneDNN's: its training-mode forward and backward (2.6, the AVX2
/// kernels measured here) sum each channel's N·H·W values in one float
/// accumulator, so a stem's batch mean over 64·32·32 values came out
/// 3.4e-4 off (PyTorch's: 2e-7), and one step's gradients 1-12% off a
/// float64 reference (scripts/parity found it). The statistics and the
/// backward's two sums are computed here instead; oneDNN still normalises,
/// with these statistics given.
///
/// The data is in one of the two layouts batch norm runs in (see
/// `DNNLBatchNorm.layout`): channels innermost (nhwc; an [N, C] input is
/// nhwc with H = W = 1), or 16-channel blocks (nChw16c, the channels padded
/// to a multiple of 16).
enum BatchNormKernels {
    struct Geometry {
        let batch: Int, channels: Int, plane: Int
        /// nChw16c rather than nhwc.
        let blocked: Bool

        /// Runs of channel-consecutive values: `body(offset, firstChannel, width)`
        /// for each, offsets in floats from the start of the buffer.
        @inline(__always)
        func forEachRun(_ body: (Int, Int, Int) -> Void) {
            if blocked {
                let blocks = (channels + 15) / 16
                for n in 0..<batch {
                    for b in 0..<blocks {
                        let width = Swift.min(16, channels - 16 * b)
                        let start = (n * blocks + b) * plane * 16
                        for s in 0..<plane { body(start + s * 16, 16 * b, width) }
                    }
                }
            } else {
                for row in 0..<(batch * plane) { body(row * channels, 0, channels) }
            }
        }

        var valuesPerChannel: Int { batch * plane }
    }

    /// The batch's mean and biased variance of each channel, from sums of x
    /// and x² in Double.
    static func statistics(_ x: UnsafePointer<Float>, _ geometry: Geometry) -> (mean: [Double], variance: [Double]) {
        var sums = [Double](repeating: 0, count: geometry.channels)
        var squares = [Double](repeating: 0, count: geometry.channels)
        sums.withUnsafeMutableBufferPointer { sums in
            squares.withUnsafeMutableBufferPointer { squares in
                geometry.forEachRun { offset, first, width in
                    let values = x + offset, s = sums.baseAddress! + first, q = squares.baseAddress! + first
                    for k in 0..<width {
                        let value = Double(values[k])
                        s[k] += value
                        q[k] += value * value
                    }
                }
            }
        }
        let n = Double(geometry.valuesPerChannel)
        let mean = sums.map { $0 / n }
        let variance = (0..<geometry.channels).map { Swift.max(squares[$0] / n - mean[$0] * mean[$0], 0) }
        return (mean, variance)
    }

    /// The vector-Jacobian product of training-mode batch norm, y = γ·x̂ + β
    /// with x̂ = (x − μ)/σ over the batch's own statistics:
    /// dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/σ · (dy − Σdy/n − x̂ · Σ(dy·x̂)/n),
    /// the sums in Double. `dx` is written in the same layout.
    static func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         geometry: Geometry, mean: [Float], variance: [Float], gamma: [Float], epsilon: Float)
        -> (dGamma: [Float], dBeta: [Float]) {
        let channels = geometry.channels
        var dyTotals = [Double](repeating: 0, count: channels), dyCentred = [Double](repeating: 0, count: channels)
        dyTotals.withUnsafeMutableBufferPointer { totals in
            dyCentred.withUnsafeMutableBufferPointer { centred in
                mean.withUnsafeBufferPointer { mean in
                    geometry.forEachRun { offset, first, width in
                        let xs = x + offset, gs = dy + offset, m = mean.baseAddress! + first
                        let t = totals.baseAddress! + first, c = centred.baseAddress! + first
                        for k in 0..<width {
                            let g = Double(gs[k])
                            t[k] += g
                            c[k] += g * (Double(xs[k]) - Double(m[k]))
                        }
                    }
                }
            }
        }
        let n = Double(geometry.valuesPerChannel)
        let inverse = (0..<channels).map { 1 / (Double(variance[$0]) + Double(epsilon)).squareRoot() }
        // dx = a·dy + b·(x − μ) + c per channel, in float, with Double
        // coefficients: a = γ/σ, b = −γ/σ³ · Σ(dy(x−μ))/n, c = −a·Σdy/n.
        var a = [Float](repeating: 0, count: channels), b = a, c = a
        for k in 0..<channels {
            let scale = Double(gamma[k]) * inverse[k]
            a[k] = Float(scale)
            b[k] = Float(-scale * inverse[k] * inverse[k] * dyCentred[k] / n)
            c[k] = Float(-scale * dyTotals[k] / n)
        }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeBufferPointer { c in
                    mean.withUnsafeBufferPointer { mean in
                        geometry.forEachRun { offset, first, width in
                            let xs = x + offset, gs = dy + offset, out = dx + offset, m = mean.baseAddress! + first
                            let ak = a.baseAddress! + first, bk = b.baseAddress! + first, ck = c.baseAddress! + first
                            for k in 0..<width { out[k] = ak[k] * gs[k] + bk[k] * (xs[k] - m[k]) + ck[k] }
                        }
                    }
                }
            }
        }
        if geometry.blocked && channels % 16 != 0 {
            // The padding channels of the last block carry no gradient.
            let blocks = (channels + 15) / 16
            for n in 0..<geometry.batch {
                let start = ((n * blocks + blocks - 1) * geometry.plane) * 16
                for s in 0..<geometry.plane {
                    for k in (channels % 16)..<16 { dx[start + s * 16 + k] = 0 }
                }
            }
        }
        return ((0..<channels).map { Float(dyCentred[$0] * inverse[$0]) }, dyTotals.map { Float($0) })
    }
}
