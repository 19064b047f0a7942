import CDNNL
import XCTest
@testable import GirdTensor

/// `x` in oneDNN's nChw16c, as a convolution would hand it over, with the
/// gradient passed straight back, so gradient checks can start from blocked
/// inputs.
func blockedForTest(_ x: Tensor) -> Tensor {
    DNNLReorder.toFormat(x, .tagged(x.shape, dnnl_nChw16c)).recorded("toBlocked", [x]) { g in [g] }
}

/// The floats of a blocked tensor's buffer past the logical channels (the
/// padding up to the block size), which consumers expect to be zero.
func blockedPadding(_ x: Tensor) -> [Float] {
    guard case let .blocked(format) = x.layout else { return [] }
    let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let padded = format.byteCount / 4 / (batch * height * width)
    let raw = x.rawFloats
    var values: [Float] = []
    for n in 0..<batch {
        for block in 0..<(padded / 16) {
            for position in 0..<(height * width) {
                for lane in 0..<16 where block * 16 + lane >= channels {
                    values.append(raw[((n * (padded / 16) + block) * height * width + position) * 16 + lane])
                }
            }
        }
    }
    return values
}

/// Batch normalisation written out loop by loop, in Double: the statistics
/// of each channel over N·H·W, then the affine map.
private func naiveBatchNorm(_ x: [Float], shape: [Int], weight: [Float], bias: [Float], mean fixedMean: [Float]?,
                            variance fixedVariance: [Float]?, epsilon: Double = 1e-5)
    -> (output: [Float], mean: [Double], variance: [Double]) {
    let (batch, channels) = (shape[0], shape[1])
    let plane = shape.count == 4 ? shape[2] * shape[3] : 1
    var output = [Float](repeating: 0, count: x.count)
    var means: [Double] = [], variances: [Double] = []
    for c in 0..<channels {
        var indices: [Int] = []
        for n in 0..<batch { for p in 0..<plane { indices.append((n * channels + c) * plane + p) } }
        let mean = fixedMean.map { Double($0[c]) } ?? indices.map { Double(x[$0]) }.reduce(0, +) / Double(indices.count)
        let variance = fixedVariance.map { Double($0[c]) }
            ?? indices.map { (Double(x[$0]) - mean) * (Double(x[$0]) - mean) }.reduce(0, +) / Double(indices.count)
        for i in indices {
            output[i] = Float((Double(x[i]) - mean) / (variance + epsilon).squareRoot() * Double(weight[c]) + Double(bias[c]))
        }
        means.append(mean)
        variances.append(variance)
    }
    return (output, means, variances)
}

final class BatchNormTests: XCTestCase {
    // Channel 0 holds 1...8: mean 4.5, biased variance 42/8 = 5.25, unbiased
    // 42/7 = 6. Channel 1 holds ±1 around 2: mean 2, biased variance 1,
    // unbiased 8/7.
    let handInput = try! Tensor(shape: [2, 2, 2, 2], values: [1, 2, 3, 4, 3, 1, 3, 1,
                                                               5, 6, 7, 8, 1, 3, 1, 3])
    let handWeight = try! Tensor(shape: [2], values: [2, 0.5])
    let handBias = try! Tensor(shape: [2], values: [1, -1])

    func testTrainingOnHandWorkedExample() throws {
        let runningMean = try Tensor(shape: [2], values: [0, 0])
        let runningVariance = try Tensor(shape: [2], values: [1, 1])
        let y = try Tensor.batchNorm(handInput, weight: handWeight, bias: handBias, runningMean: runningMean,
                                        runningVariance: runningVariance, training: true, momentum: 0.1)
        // Channel 0: 2·(x - 4.5)/sqrt(5.25 + 1e-5) + 1; channel 1: 0.5·(x - 2)/sqrt(1 + 1e-5) - 1.
        assertClose(y.toArray(), [-2.0550476, -1.1821768, -0.3093061, 0.5635646,
                                  -0.5000025, -1.4999975, -0.5000025, -1.4999975,
                                  1.4364354, 2.3093061, 3.1821768, 4.0550476,
                                  -1.4999975, -0.5000025, -1.4999975, -0.5000025], tolerance: 1e-6)
        // 0.9·0 + 0.1·mean; 0.9·1 + 0.1·unbiased variance (6 and 8/7).
        assertClose(runningMean.toArray(), [0.45, 0.2], tolerance: 1e-6)
        assertClose(runningVariance.toArray(), [1.5, 1.0142857], tolerance: 1e-6)
        XCTAssertTrue(y.isBlocked, "a 4-D result stays in the blocked layout BN ran in")
    }

    func testEvalUsesRunningStatisticsAndLeavesThem() throws {
        let runningMean = try Tensor(shape: [2], values: [0.5, -1])
        let runningVariance = try Tensor(shape: [2], values: [4, 0.25])
        let y = try Tensor.batchNorm(handInput, weight: handWeight, bias: handBias, runningMean: runningMean,
                                        runningVariance: runningVariance, training: false)
        // Channel 0: 2·(x - 0.5)/2 + 1 = x + 0.5; channel 1: 0.5·(x + 1)/0.5 - 1 = x (up to eps).
        assertClose(y.toArray(), [1.4999994, 2.4999981, 3.4999969, 4.4999956,
                                  2.99992, 0.99996, 2.99992, 0.99996,
                                  5.4999944, 6.4999931, 7.4999919, 8.4999906,
                                  0.99996, 2.99992, 0.99996, 2.99992], tolerance: 1e-6)
        XCTAssertEqual(runningMean.toArray(), [0.5, -1])
        XCTAssertEqual(runningVariance.toArray(), [4, 0.25])
    }

    func testMatchesNaiveLoopsInPlainAndBlockedLayouts() throws {
        for shape in [[3, 24, 5, 5], [2, 3, 4, 3], [4, 116, 2, 2]] {
            let channels = shape[1]
            let x = uniformTensor(shape, seed: 11, low: -2, high: 3)
            let weight = uniformTensor([channels], seed: 12, low: 0.5, high: 1.5)
            let bias = uniformTensor([channels], seed: 13)
            let expected = naiveBatchNorm(x.toArray(), shape: shape, weight: weight.toArray(), bias: bias.toArray(),
                                          mean: nil, variance: nil)
            let n = Double(shape[0] * shape[2] * shape[3])
            for input in [x, DNNLReorder.toFormat(x, .tagged(shape, dnnl_nChw16c))] {
                let runningMean = Tensor.zeros([channels]), runningVariance = Tensor.ones([channels])
                let y = try Tensor.batchNorm(input, weight: weight, bias: bias, runningMean: runningMean,
                                            runningVariance: runningVariance, training: true, momentum: 0.25)
                assertClose(y.toArray(), expected.output, tolerance: 1e-4)
                assertClose(runningMean.toArray(), expected.mean.map { Float(0.25 * $0) }, tolerance: 1e-5)
                assertClose(runningVariance.toArray(), expected.variance.map { Float(0.75 + 0.25 * $0 * n / (n - 1)) },
                            tolerance: 1e-5)
                XCTAssertTrue(y.isBlocked, "\(shape)")
                XCTAssertEqual(blockedPadding(y).filter { $0 != 0 }.count, 0, "padding channels must stay zero")

                let evalMean = uniformTensor([channels], seed: 14), evalVariance = uniformTensor([channels], seed: 15, low: 0.5, high: 2)
                let evalExpected = naiveBatchNorm(x.toArray(), shape: shape, weight: weight.toArray(), bias: bias.toArray(),
                                                  mean: evalMean.toArray(), variance: evalVariance.toArray())
                let z = try Tensor.batchNorm(input, weight: weight, bias: bias, runningMean: evalMean,
                                            runningVariance: evalVariance, training: false)
                assertClose(z.toArray(), evalExpected.output, tolerance: 1e-4)
            }
        }
    }

    /// The statistics and the backward's sums over a large batch are as
    /// exact as float data allows (PyTorch accumulates in double): a single
    /// float accumulator over 64·32·32 values a channel, oneDNN 2.6's AVX2
    /// kernels' way, put a stem's mean 3.4e-4 off and one step's gradients
    /// 1-12% off a float64 reference. Here [64, 20, 32, 32] with means far
    /// from zero, in both layouts: the running mean and variance to 1e-6
    /// relative, and the input gradient and dγ, dβ against the same formula
    /// in Double to 1e-5 of their largest values.
    func testLargeBatchStatisticsAndGradientsAreAccumulatedExactly() throws {
        let shape = [64, 20, 32, 32], channels = 20, plane = 32 * 32, n = 64 * plane
        let offsets = (0..<channels).map { Float($0) * 0.7 + 3 }
        let base = uniformTensor(shape, seed: 21, low: -1, high: 1).toArray()
        var values = base
        for i in values.indices { values[i] += offsets[(i / plane) % channels] }
        let weight = uniformTensor([channels], seed: 22, low: 0.5, high: 1.5)
        let upstream = uniformTensor(shape, seed: 23, low: -1, high: 1)
        // The Double reference: statistics, then dx = γ/σ (dy − mean(dy) − x̂ mean(dy·x̂)).
        var mean = [Double](repeating: 0, count: channels), variance = mean
        var dyMean = mean, dyXhatMean = mean
        let dy = upstream.toArray()
        for c in 0..<channels {
            var sum = 0.0
            for b in 0..<64 { for p in 0..<plane { sum += Double(values[(b * channels + c) * plane + p]) } }
            mean[c] = sum / Double(n)
            var squares = 0.0
            for b in 0..<64 { for p in 0..<plane { let d = Double(values[(b * channels + c) * plane + p]) - mean[c]; squares += d * d } }
            variance[c] = squares / Double(n)
            var g = 0.0, gx = 0.0
            for b in 0..<64 {
                for p in 0..<plane {
                    let i = (b * channels + c) * plane + p
                    g += Double(dy[i])
                    gx += Double(dy[i]) * (Double(values[i]) - mean[c]) / (variance[c] + 1e-5).squareRoot()
                }
            }
            dyMean[c] = g / Double(n)
            dyXhatMean[c] = gx / Double(n)
        }
        var expectedDx = [Double](repeating: 0, count: values.count)
        let gamma = weight.toArray()
        for i in values.indices {
            let c = (i / plane) % channels, inverse = 1 / (variance[c] + 1e-5).squareRoot()
            let xhat = (Double(values[i]) - mean[c]) * inverse
            expectedDx[i] = Double(gamma[c]) * inverse * (Double(dy[i]) - dyMean[c] - xhat * dyXhatMean[c])
        }
        for blocked in [false, true] {
            let leaf = try Tensor(shape: shape, values: values).requiringGrad()
            let input = blocked ? blockedForTest(leaf) : leaf
            let w = try weight.detach().requiringGrad(), b = try Tensor.zeros([channels]).requiringGrad()
            let runningMean = Tensor.zeros([channels]), runningVariance = Tensor.zeros([channels])
            let y = try Tensor.batchNorm(input, weight: w, bias: b, runningMean: runningMean, runningVariance: runningVariance,
                                        training: true, momentum: 1)
            for c in 0..<channels {
                XCTAssertEqual(Double(runningMean.toArray()[c]), mean[c], accuracy: 1e-6 * abs(mean[c]), "mean \(c)")
                XCTAssertEqual(Double(runningVariance.toArray()[c]), variance[c] * Double(n) / Double(n - 1),
                               accuracy: 1e-6 * variance[c], "variance \(c)")
            }
            try (y * upstream).sum().backward()
            let dx = try XCTUnwrap(leaf.grad)
            let largest = expectedDx.map(abs).max()!
            let worst = zip(dx.toArray(), expectedDx).map { abs(Double($0) - $1) }.max()!
            XCTAssertLessThan(worst / largest, 1e-5, "dx, blocked \(blocked)")
            let dBeta = try XCTUnwrap(b.grad).toArray(), dGamma = try XCTUnwrap(w.grad).toArray()
            for c in 0..<channels {
                XCTAssertEqual(Double(dBeta[c]), dyMean[c] * Double(n), accuracy: 1e-5 * Double(n) * dyMean.map(abs).max()!)
                XCTAssertEqual(Double(dGamma[c]), dyXhatMean[c] * Double(n), accuracy: 1e-5 * Double(n) * dyXhatMean.map(abs).max()!)
            }
        }
    }

    func testBlockedInputKeepsItsLayout() throws {
        let format = DNNLFormat.tagged([2, 24, 3, 3], dnnl_nChw16c)
        let x = DNNLReorder.toFormat(uniformTensor([2, 24, 3, 3], seed: 3), format)
        let y = try Tensor.batchNorm(x, weight: nil, bias: nil, runningMean: Tensor.zeros([24]),
                                runningVariance: Tensor.ones([24]), training: true)
        guard case let .blocked(resultFormat) = y.layout else { return XCTFail("result is plain") }
        XCTAssertTrue(resultFormat == format)
    }

    func testRank2IsBatchNorm1d() throws {
        let x = uniformTensor([6, 5], seed: 21, low: -3, high: 2)
        let weight = uniformTensor([5], seed: 22), bias = uniformTensor([5], seed: 23)
        let runningMean = Tensor.zeros([5]), runningVariance = Tensor.ones([5])
        let y = try Tensor.batchNorm(x, weight: weight, bias: bias, runningMean: runningMean,
                                runningVariance: runningVariance, training: true)
        let expected = naiveBatchNorm(x.toArray(), shape: [6, 5], weight: weight.toArray(), bias: bias.toArray(),
                                      mean: nil, variance: nil)
        assertClose(y.toArray(), expected.output, tolerance: 1e-5)
        assertClose(runningVariance.toArray(), expected.variance.map { Float(0.9 + 0.1 * $0 * 6 / 5) }, tolerance: 1e-5)
        XCTAssertEqual(y.shape, [6, 5])
        XCTAssertFalse(y.isBlocked)
    }

    func testGradientsInTraining() throws {
        // Plain input, and blocked ones with channel counts that pad the block.
        for (shape, makeBlocked) in [([2, 3, 3, 3], false), ([2, 3, 2, 3], true), ([3, 18, 2, 2], true)] {
            let channels = shape[1]
            let x = uniformTensor(shape, seed: 31, low: -2, high: 2)
            let weight = uniformTensor([channels], seed: 32, low: 0.5, high: 1.5), bias = uniformTensor([channels], seed: 33)
            let runningMean = Tensor.zeros([channels]), runningVariance = Tensor.ones([channels])
            try assertGradientsMatch([x, weight, bias]) { xs in
                try Tensor.batchNorm(
                    makeBlocked ? blockedForTest(xs[0]) : xs[0], weight: xs[1], bias: xs[2], runningMean: runningMean, runningVariance: runningVariance, training: true)
            }
        }
    }

    func testGradientsInEvalTreatStatisticsAsConstants() throws {
        for (shape, makeBlocked) in [([2, 3, 3, 3], false), ([2, 20, 2, 2], true)] {
            let channels = shape[1]
            let x = uniformTensor(shape, seed: 41, low: -2, high: 2)
            let weight = uniformTensor([channels], seed: 42, low: 0.5, high: 1.5), bias = uniformTensor([channels], seed: 43)
            let runningMean = uniformTensor([channels], seed: 44), runningVariance = uniformTensor([channels], seed: 45, low: 0.5, high: 2)
            try assertGradientsMatch([x, weight, bias]) { xs in
                try Tensor.batchNorm(
                    makeBlocked ? blockedForTest(xs[0]) : xs[0], weight: xs[1], bias: xs[2], runningMean: runningMean, runningVariance: runningVariance, training: false)
            }
        }
    }

    func testGradientsOfRank2AndWithoutAffine() throws {
        let x = uniformTensor([5, 4], seed: 51, low: -2, high: 2)
        let weight = uniformTensor([4], seed: 52, low: 0.5, high: 1.5), bias = uniformTensor([4], seed: 53)
        let runningMean = Tensor.zeros([4]), runningVariance = Tensor.ones([4])
        try assertGradientsMatch([x, weight, bias]) { xs in
            try Tensor.batchNorm(xs[0], weight: xs[1], bias: xs[2], runningMean: runningMean,
                                runningVariance: runningVariance, training: true)
        }
        try assertGradientsMatch([uniformTensor([2, 3, 2, 2], seed: 54)]) { xs in
            try Tensor.batchNorm(xs[0], weight: nil, bias: nil, runningMean: Tensor.zeros([3]),
                                runningVariance: Tensor.ones([3]), training: true)
        }
    }

    func testParameterGradientsWithoutInputGradient() throws {
        // dβ = Σ g; dγ = Σ g·x̂. With g = 1 everywhere: dβ = N·H·W, dγ = Σ x̂ = 0.
        let weight = try handWeight.detach().requiringGrad(), bias = try handBias.detach().requiringGrad()
        let y = try Tensor.batchNorm(handInput, weight: weight, bias: bias, runningMean: Tensor.zeros([2]),
                                        runningVariance: Tensor.ones([2]), training: true)
        try y.sum().backward()
        assertClose(bias.grad!.toArray(), [8, 8])
        assertClose(weight.grad!.toArray(), [0, 0], tolerance: 1e-5)
    }

    func testBlockedGradientStaysBlocked() throws {
        let x = try DNNLReorder.toFormat(uniformTensor([2, 24, 3, 3], seed: 61), .tagged([2, 24, 3, 3], dnnl_nChw16c))
            .requiringGrad()
        let y = try Tensor.batchNorm(x, weight: nil, bias: nil, runningMean: Tensor.zeros([24]),
                                runningVariance: Tensor.ones([24]), training: true)
        let grads = try y.gradNode!.backward(y.detach())
        XCTAssertTrue(grads[0]!.isBlocked)
        XCTAssertEqual(blockedPadding(grads[0]!).filter { $0 != 0 }.count, 0)
    }

    func testTwoRunsAreBitIdentical() throws {
        func run() throws -> [[Float]] {
            let x = try uniformTensor([4, 40, 6, 6], seed: 71).requiringGrad()
            let weight = try uniformTensor([40], seed: 72).requiringGrad(), bias = try uniformTensor([40], seed: 73).requiringGrad()
            let runningMean = Tensor.zeros([40]), runningVariance = Tensor.ones([40])
            let y = try Tensor.batchNorm(blockedForTest(x), weight: weight, bias: bias, runningMean: runningMean,
                                                    runningVariance: runningVariance, training: true)
            try (y * uniformTensor([4, 40, 6, 6], seed: 74)).sum().backward()
            return [y.toArray(), x.grad!.toArray(), weight.grad!.toArray(), bias.grad!.toArray(),
                    runningMean.toArray(), runningVariance.toArray()]
        }
        XCTAssertEqual(try run(), try run())
    }

    func testErrorsNameOpAndShapes() throws {
        let x = uniformTensor([2, 3, 4, 4], seed: 1)
        XCTAssertThrowsError(try Tensor.batchNorm(x, weight: Tensor.ones([4]), bias: nil, runningMean: Tensor.zeros([3]),
                                             runningVariance: Tensor.ones([3]), training: true)) { error in
            XCTAssertEqual("\(error)", "batchNorm: weight has shape [4] but the input [2, 3, 4, 4] has 3 channels")
        }
        XCTAssertThrowsError(try Tensor.batchNorm(x, weight: nil, bias: nil, runningMean: Tensor.zeros([3]),
                                             runningVariance: Tensor.ones([2]), training: false)) { error in
            XCTAssertEqual("\(error)", "batchNorm: runningVariance has shape [2] but the input [2, 3, 4, 4] has 3 channels")
        }
        XCTAssertThrowsError(try Tensor.batchNorm(uniformTensor([1, 3, 1, 1], seed: 2),
            weight: nil, bias: nil, runningMean: Tensor.zeros([3]), runningVariance: Tensor.ones([3]), training: true)) { error in
            XCTAssertEqual("\(error)", "batchNorm: expected more than 1 value per channel when training, got input of shape [1, 3, 1, 1]")
        }
        XCTAssertThrowsError(try Tensor.batchNorm(uniformTensor([2, 3, 4], seed: 3),
            weight: nil, bias: nil, runningMean: Tensor.zeros([3]), runningVariance: Tensor.ones([3]), training: true)) { error in
            XCTAssertEqual("\(error)", "batchNorm: expected a 2-D [N, C] or 4-D [N, C, H, W] input, got [2, 3, 4]")
        }
        // Evaluation of a single value per channel is fine.
        XCTAssertNoThrow(try Tensor.batchNorm(uniformTensor([1, 3, 1, 1], seed: 2),
            weight: nil, bias: nil, runningMean: Tensor.zeros([3]), runningVariance: Tensor.ones([3]), training: false))
    }
}
