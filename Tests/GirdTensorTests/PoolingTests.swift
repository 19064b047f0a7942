import XCTest
@testable import GirdTensor

/// Pooling written out loop by loop: every output position, its window
/// clipped to the padded input, padding as -inf (max) or 0 (average, still
/// divided by the kernel area).
private func naivePool(_ x: [Float], shape: [Int], kernel: Int, stride: Int, padding: Int, max: Bool) -> [Float] {
    let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
    let outHeight = (height + 2 * padding - kernel) / stride + 1, outWidth = (width + 2 * padding - kernel) / stride + 1
    var out: [Float] = []
    for plane in 0..<(batch * channels) {
        for oh in 0..<outHeight {
            for ow in 0..<outWidth {
                var best = -Float.infinity, total = 0.0
                for kh in 0..<kernel {
                    for kw in 0..<kernel {
                        let (h, w) = (oh * stride - padding + kh, ow * stride - padding + kw)
                        guard h >= 0, h < height, w >= 0, w < width else { continue }
                        let value = x[(plane * height + h) * width + w]
                        best = Swift.max(best, value)
                        total += Double(value)
                    }
                }
                out.append(max ? best : Float(total / Double(kernel * kernel)))
            }
        }
    }
    return out
}

/// Adaptive average pooling from its definition: bin i of `out` over `size`
/// covers [floor(i·size/out), ceil((i+1)·size/out)).
private func naiveAdaptive(_ x: [Float], shape: [Int], outHeight: Int, outWidth: Int) -> [Float] {
    let (height, width) = (shape[2], shape[3])
    func bin(_ i: Int, _ size: Int, _ out: Int) -> Range<Int> {
        Int((Double(i * size) / Double(out)).rounded(.down))..<Int((Double((i + 1) * size) / Double(out)).rounded(.up))
    }
    var out: [Float] = []
    for plane in 0..<(shape[0] * shape[1]) {
        for oh in 0..<outHeight {
            for ow in 0..<outWidth {
                var total = 0.0, count = 0
                for h in bin(oh, height, outHeight) {
                    for w in bin(ow, width, outWidth) { total += Double(x[(plane * height + h) * width + w]); count += 1 }
                }
                out.append(Float(total / Double(count)))
            }
        }
    }
    return out
}

/// Distinct values 0.1 apart in shuffled order: a max window never holds
/// two values within the gradient check's ±0.01 nudge of each other.
private func distinctTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = SplitMix64(seed: seed)
    var values = (0..<shape.reduce(1, *)).map { Float($0) * 0.1 - 1 }
    for i in stride(from: values.count - 1, to: 0, by: -1) { values.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
    return try! Tensor(shape: shape, values: values)
}

final class PoolingTests: XCTestCase {
    func testMaxPoolByHand() throws {
        let x = try Tensor(shape: [1, 1, 4, 4], values: [1, 5, 2, 0,
                                                         3, 4, 8, 7,
                                                         -1, -2, 6, 9,
                                                         -3, -4, 1, 2])
        XCTAssertEqual(try x.maxPool2d(kernel: 2).toArray(), [5, 8, -1, 9])
        // 3x3 windows, stride 2, padding 1: rows/cols {-1,0,1} and {1,2,3}.
        XCTAssertEqual(try x.maxPool2d(kernel: 3, stride: 2, padding: 1).toArray(), [5, 8, 4, 9])
    }

    func testAvgPoolCountsPaddingByHand() throws {
        let x = try Tensor(shape: [1, 1, 3, 3], values: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        // Every window is divided by 9, padding included: corner (1+2+4+5)/9.
        assertClose(try x.avgPool2d(kernel: 3, stride: 1, padding: 1).toArray(),
                    [12 / 9, 21 / 9, 16 / 9, 27 / 9, 45 / 9, 33 / 9, 24 / 9, 39 / 9, 28 / 9])
    }

    func testMatchesNaiveLoopsInPlainAndBlockedLayouts() throws {
        let shape = [2, 20, 7, 6]
        let x = uniformTensor(shape, seed: 5)
        for (kernel, stride, padding) in [(2, 2, 0), (3, 2, 1), (3, 1, 1), (4, 3, 2)] {
            for max in [true, false] {
                let expected = naivePool(x.toArray(), shape: shape, kernel: kernel, stride: stride, padding: padding, max: max)
                for input in [x, blockedForTest(x)] {
                    let y = max ? try input.maxPool2d(kernel: kernel, stride: stride, padding: padding)
                        : try input.avgPool2d(kernel: kernel, stride: stride, padding: padding)
                    assertClose(y.toArray(), expected, tolerance: 1e-6)
                    XCTAssertEqual(y.isBlocked, input.isBlocked, "pooling keeps the layout")
                    XCTAssertEqual(blockedPadding(y).filter { $0 != 0 }.count, 0)
                }
            }
        }
    }

    func testAdaptiveUnevenBinsByHand() throws {
        // 7 -> 3: bins [0,3), [2,5), [4,7); 5 -> 2: bins [0,3), [2,5).
        let seven = try Tensor(shape: [1, 1, 1, 7], values: [1, 2, 3, 4, 5, 6, 7])
        assertClose(try seven.adaptiveAvgPool2d(outputSize: (1, 3)).toArray(), [2, 4, 6])
        let five = try Tensor(shape: [1, 1, 5, 1], values: [1, 2, 3, 4, 5])
        assertClose(try five.adaptiveAvgPool2d(outputSize: (2, 1)).toArray(), [2, 4])
    }

    func testAdaptiveMatchesNaiveLoops() throws {
        let shape = [2, 3, 7, 5]
        let x = uniformTensor(shape, seed: 9)
        for (outHeight, outWidth) in [(3, 2), (7, 5), (1, 1), (2, 4), (9, 6)] {
            let expected = naiveAdaptive(x.toArray(), shape: shape, outHeight: outHeight, outWidth: outWidth)
            for input in [x, blockedForTest(x)] {
                let y = try input.adaptiveAvgPool2d(outputSize: (outHeight, outWidth))
                XCTAssertEqual(y.shape, [2, 3, outHeight, outWidth])
                assertClose(y.toArray(), expected, tolerance: 1e-6)
            }
        }
        // Evenly dividing sizes run on oneDNN and keep a blocked layout.
        let even = blockedForTest(uniformTensor([2, 3, 8, 6], seed: 10))
        let pooled = try even.adaptiveAvgPool2d(outputSize: (4, 3))
        XCTAssertTrue(pooled.isBlocked)
        assertClose(pooled.toArray(), naiveAdaptive(even.toArray(), shape: [2, 3, 8, 6], outHeight: 4, outWidth: 3),
                    tolerance: 1e-6)
    }

    func testGlobalAvgPoolGivesChannelMeans() throws {
        let x = try Tensor(shape: [2, 2, 1, 3], values: [1, 2, 3, 4, 4, 7, -1, 0, 1, 10, 20, 30])
        for input in [x, blockedForTest(x)] {
            let y = try input.globalAvgPool()
            XCTAssertEqual(y.shape, [2, 2])
            assertClose(y.toArray(), [2, 5, 0, 20])
        }
    }

    func testGradients() throws {
        let x = distinctTensor([2, 3, 5, 5], seed: 3)
        for makeBlocked in [false, true] {
            func prepared(_ x: Tensor) -> Tensor { makeBlocked ? blockedForTest(x) : x }
            try assertGradientsMatch([x]) { xs in try prepared(xs[0]).maxPool2d(kernel: 3, stride: 2, padding: 1) }
            try assertGradientsMatch([x]) { xs in try prepared(xs[0]).maxPool2d(kernel: 2) }
            try assertGradientsMatch([x]) { xs in try prepared(xs[0]).avgPool2d(kernel: 3, stride: 2, padding: 1) }
            try assertGradientsMatch([x]) { xs in try prepared(xs[0]).adaptiveAvgPool2d(outputSize: (3, 2)) }
            try assertGradientsMatch([x]) { xs in try prepared(xs[0]).adaptiveAvgPool2d(outputSize: (5, 1)) }
            try assertGradientsMatch([x]) { xs in try prepared(xs[0]).globalAvgPool() }
        }
    }

    func testBlockedGradientsStayBlocked() throws {
        let x = try blockedForTest(uniformTensor([2, 20, 6, 6], seed: 4)).detach().requiringGrad()
        for y in [try x.maxPool2d(kernel: 2), try x.avgPool2d(kernel: 3, stride: 1, padding: 1),
                  try x.adaptiveAvgPool2d(outputSize: 3)] {
            XCTAssertTrue(y.isBlocked)
            let grad = try y.gradNode!.backward(y.detach())[0]!
            XCTAssertTrue(grad.isBlocked)
            XCTAssertEqual(blockedPadding(grad).filter { $0 != 0 }.count, 0)
        }
    }

    func testTwoRunsAreBitIdentical() throws {
        func run() throws -> [[Float]] {
            let x = try uniformTensor([4, 24, 9, 9], seed: 8).requiringGrad()
            let blocked = blockedForTest(x)
            let outputs = [try blocked.maxPool2d(kernel: 3, stride: 2, padding: 1),
                           try blocked.avgPool2d(kernel: 2), try x.adaptiveAvgPool2d(outputSize: 4)]
            var loss = try outputs[0].sum()
            for output in outputs.dropFirst() { loss = try loss + (output * output).sum() }
            try loss.backward()
            return outputs.map { $0.toArray() } + [x.grad!.toArray()]
        }
        XCTAssertEqual(try run(), try run())
    }

    func testErrorsNameOpAndShapes() throws {
        let x = uniformTensor([1, 2, 4, 4], seed: 1)
        XCTAssertThrowsError(try x.maxPool2d(kernel: 3, padding: 2)) { error in
            XCTAssertEqual("\(error)", "maxPool2d: padding (2, 2) must be at most half of the kernel size (3, 3)")
        }
        XCTAssertThrowsError(try x.avgPool2d(kernel: (7, 3), stride: (1, 1), padding: (1, 1))) { error in
            XCTAssertEqual("\(error)", "avgPool2d: kernel (7, 3) is larger than the input [1, 2, 4, 4] with padding (1, 1)")
        }
        XCTAssertThrowsError(try x.maxPool2d(kernel: 2, stride: 0)) { error in
            XCTAssertEqual("\(error)", "maxPool2d: stride must be positive, got (0, 0)")
        }
        XCTAssertThrowsError(try uniformTensor([2, 4, 4], seed: 1).avgPool2d(kernel: 2)) { error in
            XCTAssertEqual("\(error)", "avgPool2d: expected a 4-D [N, C, H, W] input, got [2, 4, 4]")
        }
        XCTAssertThrowsError(try x.adaptiveAvgPool2d(outputSize: (0, 2))) { error in
            XCTAssertEqual("\(error)", "adaptiveAvgPool2d: output size must be positive, got (0, 2)")
        }
    }
}
