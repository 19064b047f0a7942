import XCTest
@testable import GirdTensor

final class Conv2dTests: XCTestCase {
    // MARK: Forward against a direct loop

    /// One convolution to compare against `directConvolution`.
    struct Case {
        var input: [Int]
        var weight: [Int]
        var bias = false
        var stride = (1, 1), padding = (0, 0), dilation = (1, 1)
        var groups = 1
    }

    func testForwardMatchesDirectLoop() throws {
        let cases: [(String, Case)] = [
            ("3x3 pad 1, 3->8, bias", Case(input: [2, 3, 7, 7], weight: [8, 3, 3, 3], bias: true, padding: (1, 1))),
            ("3x3 pad 1, 32->48", Case(input: [2, 32, 9, 9], weight: [48, 32, 3, 3], padding: (1, 1))),
            ("3x3 pad 1, 16->16, bias", Case(input: [1, 16, 8, 8], weight: [16, 16, 3, 3], bias: true, padding: (1, 1))),
            ("stride 2 pad 1, odd size", Case(input: [2, 16, 9, 9], weight: [16, 16, 3, 3], stride: (2, 2), padding: (1, 1))),
            ("stride 2, even size, no pad", Case(input: [1, 5, 10, 10], weight: [6, 5, 3, 3], bias: true, stride: (2, 2))),
            ("1x1, 24->40", Case(input: [2, 24, 5, 5], weight: [40, 24, 1, 1])),
            ("1x1 stride 2, bias", Case(input: [1, 32, 6, 6], weight: [20, 32, 1, 1], bias: true, stride: (2, 2))),
            ("dilation 2, 5->7", Case(input: [1, 5, 11, 11], weight: [7, 5, 3, 3], padding: (2, 2), dilation: (2, 2))),
            ("dilation 2, 32->32, bias", Case(input: [1, 32, 10, 10], weight: [32, 32, 3, 3], bias: true,
                                             padding: (2, 2), dilation: (2, 2))),
            ("groups 2, 8->12", Case(input: [2, 8, 6, 6], weight: [12, 4, 3, 3], padding: (1, 1), groups: 2)),
            ("groups 2, 64->32, bias", Case(input: [1, 64, 6, 6], weight: [32, 32, 3, 3], bias: true,
                                           padding: (1, 1), groups: 2)),
            ("depthwise 32, bias", Case(input: [2, 32, 8, 8], weight: [32, 1, 3, 3], bias: true, padding: (1, 1), groups: 32)),
            ("depthwise 32, stride 2", Case(input: [1, 32, 9, 9], weight: [32, 1, 3, 3], stride: (2, 2),
                                           padding: (1, 1), groups: 32)),
            ("depthwise 6, multiplier 2", Case(input: [1, 6, 7, 7], weight: [12, 1, 3, 3], padding: (1, 1), groups: 6)),
            ("non-square input and kernel", Case(input: [2, 4, 6, 11], weight: [6, 4, 3, 5], bias: true,
                                                stride: (2, 1), padding: (1, 2))),
            ("non-square, 16->16, dilation (1, 2)", Case(input: [1, 16, 5, 12], weight: [16, 16, 3, 3],
                                                        padding: (1, 2), dilation: (1, 2))),
        ]
        for (index, (name, c)) in cases.enumerated() {
            let seed = UInt64(10 * index)
            let x = uniformTensor(c.input, seed: seed), w = uniformTensor(c.weight, seed: seed + 1)
            let b = c.bias ? uniformTensor([c.weight[0]], seed: seed + 2) : nil
            let y = try Tensor.conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding,
                               dilation: c.dilation, groups: c.groups)
            let expected = directConvolution(x, w, b, c)
            XCTAssertEqual(y.shape, expected.shape, name)
            let actual = y.toArray()
            if let bad = actual.indices.first(where: { abs(actual[$0] - expected.values[$0]) > 1e-5 * max(1, abs(expected.values[$0])) }) {
                XCTFail("\(name): element \(bad) is \(actual[bad]), expected \(expected.values[bad])")
            }
        }
    }

    func testSquareArgumentsMatchPairs() throws {
        let x = uniformTensor([1, 3, 8, 8], seed: 1), w = uniformTensor([4, 3, 3, 3], seed: 2)
        let square = try Tensor.conv2d(x, weight: w, stride: 2, padding: 1, dilation: 1)
        let pairs = try Tensor.conv2d(x, weight: w, stride: (2, 2), padding: (1, 1))
        XCTAssertEqual(square.shape, [1, 4, 4, 4])
        XCTAssertEqual(square.toArray(), pairs.toArray())
    }

    func testOutputIsBlockedWithZeroPadding() throws {
        // 20 channels fill two blocks of 16 in nChw16c, the second with 12
        // channels of padding, which element-wise ops on the raw buffer need
        // to be zero. (Which layout oneDNN picks depends on the CPU: nChw16c
        // on AVX-512 machines, nChw8c with AVX2; both pad 20 channels.)
        // Blocked is asked for: without AVX-512 the default is channels-last.
        ActivationLayout.preferred = .blocked
        defer { ActivationLayout.preferred = ActivationLayout.machineDefault }
        for (input, weight) in [([2, 32, 5, 5], [20, 32, 3, 3]), ([2, 16, 7, 7], [20, 16, 3, 3]), ([1, 20, 6, 6], [20, 1, 3, 3])] {
            let groups = weight[1] == 1 ? input[1] : 1
            let y = try Tensor.conv2d(uniformTensor(input, seed: 3), weight: uniformTensor(weight, seed: 4),
                               bias: uniformTensor([20], seed: 5), padding: 1, groups: groups)
            XCTAssertTrue(y.isBlocked, "oneDNN should pick a blocked layout for 20 channels")
            XCTAssertGreaterThan(y.bufferFloatCount, y.count, "20 channels should be padded to a whole block")
            let raw = UnsafeBufferPointer(start: y.rawFloats, count: y.bufferFloatCount)
            let rawMagnitude = raw.reduce(0) { $0 + Double(abs($1)) }
            let valueMagnitude = y.toArray().reduce(0) { $0 + Double(abs($1)) }
            XCTAssertEqual(rawMagnitude, valueMagnitude, accuracy: 1e-9 * valueMagnitude)
        }
    }

    func testBlockedInputIsReadAsIs() throws {
        // A blocked output fed to a second convolution gives what its plain
        // copy gives.
        let w1 = uniformTensor([32, 16, 3, 3], seed: 6), w2 = uniformTensor([16, 32, 3, 3], seed: 7)
        let hidden = try Tensor.conv2d(uniformTensor([2, 16, 6, 6], seed: 8), weight: w1, padding: 1)
        XCTAssertTrue(hidden.isBlocked)
        let fromBlocked = try Tensor.conv2d(hidden, weight: w2, padding: 1)
        let fromPlain = try Tensor.conv2d(hidden.plain(), weight: w2, padding: 1)
        XCTAssertEqual(fromBlocked.toArray(), fromPlain.toArray())
    }

    func testRecordingChangesNeitherValuesNorLayout() throws {
        let x = uniformTensor([2, 16, 7, 7], seed: 9)
        let w = try uniformTensor([24, 16, 3, 3], seed: 10).requiringGrad()
        let recorded = try Tensor.conv2d(x, weight: w, stride: 2, padding: 1)
        let unrecorded = try GradMode.withoutGradient { try Tensor.conv2d(x, weight: w, stride: 2, padding: 1) }
        XCTAssertTrue(recorded.requiresGrad)
        XCTAssertFalse(unrecorded.requiresGrad)
        XCTAssertEqual(recorded.toArray(), unrecorded.toArray())
        XCTAssertEqual(recorded.layout.format(shape: recorded.shape), unrecorded.layout.format(shape: unrecorded.shape))
    }

    func testEmptyBatch() throws {
        let w = try uniformTensor([4, 3, 3, 3], seed: 11).requiringGrad()
        let y = try Tensor.conv2d(Tensor.zeros([0, 3, 8, 8]), weight: w, padding: 1)
        XCTAssertEqual(y.shape, [0, 4, 8, 8])
        try y.sum().backward()
        XCTAssertEqual(w.grad?.toArray(), [Float](repeating: 0, count: 108))
    }

    // MARK: Gradients against finite differences

    func testGradients3x3WithBias() throws {
        try assertGradientsMatch([uniformTensor([2, 3, 5, 5], seed: 20), uniformTensor([4, 3, 3, 3], seed: 21),
                                  uniformTensor([4], seed: 22)]) {
            try Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1)
        }
    }

    func testGradientsStride2() throws {
        try assertGradientsMatch([uniformTensor([1, 4, 7, 7], seed: 23), uniformTensor([5, 4, 3, 3], seed: 24),
                                  uniformTensor([5], seed: 25)]) {
            try Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1)
        }
    }

    func testGradientsDepthwise() throws {
        // 16 channels: oneDNN's blocked depthwise kernels (Goihw16g).
        try assertGradientsMatch([uniformTensor([2, 16, 5, 5], seed: 26), uniformTensor([16, 1, 3, 3], seed: 27),
                                  uniformTensor([16], seed: 28)]) {
            try Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1, groups: 16)
        }
        try assertGradientsMatch([uniformTensor([1, 4, 7, 7], seed: 29), uniformTensor([4, 1, 3, 3], seed: 30)]) {
            try Tensor.conv2d($0[0], weight: $0[1], stride: 2, padding: 1, groups: 4)
        }
    }

    func testGradientsGroupsAndDilation() throws {
        try assertGradientsMatch([uniformTensor([1, 4, 7, 7], seed: 31), uniformTensor([6, 2, 3, 3], seed: 32),
                                  uniformTensor([6], seed: 33)]) {
            try Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: 2, dilation: 2, groups: 2)
        }
    }

    func testGradientsBlockedChannels() throws {
        try assertGradientsMatch([uniformTensor([1, 16, 4, 4], seed: 34), uniformTensor([20, 16, 2, 2], seed: 35),
                                  uniformTensor([20], seed: 36)]) {
            try Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (1, 2), padding: (1, 0))
        }
    }

    func testGradientsThroughBlockedChain() throws {
        // conv -> relu -> conv: the hidden activation and its gradient stay
        // blocked from one convolution to the next. Finite differences are
        // wrong where a nudge moves a ReLU input across 0, so the data keep
        // every ReLU input at least 0.28 from 0 (a nudge moves it by at most
        // eps = 0.01): inputs and kernel magnitudes in [0.2, 1], the kernels
        // of odd output channels negative, so those are cut off by the ReLU,
        // and biases in [-0.2, 0.2]; a border output still sums 12 products.
        let x = uniformTensor([1, 3, 6, 6], seed: 37, low: 0.2, high: 1)
        let magnitudes = uniformTensor([16, 3, 3, 3], seed: 38, low: 0.2, high: 1).toArray()
        let w1 = try Tensor(shape: [16, 3, 3, 3], values: magnitudes.enumerated().map { ($0.offset / 27) % 2 == 1 ? -$0.element : $0.element })
        let b1 = uniformTensor([16], seed: 39, low: -0.2, high: 0.2)
        try assertGradientsMatch([x, w1, b1, uniformTensor([8, 16, 3, 3], seed: 40)]) { xs in
            let hidden = try Tensor.conv2d(xs[0], weight: xs[1], bias: xs[2], padding: 1).relu()
            XCTAssertTrue(hidden.isBlocked)
            return try Tensor.conv2d(hidden, weight: xs[3], stride: 2, padding: 1)
        }
    }

    func testGradientsThroughPlainConsumer() throws {
        // A classifier head reads the blocked output through `plain()`
        // (flatten), so the gradient comes back to the convolution plain.
        try assertGradientsMatch([uniformTensor([2, 3, 4, 4], seed: 41), uniformTensor([16, 3, 3, 3], seed: 42),
                                  uniformTensor([256, 3], seed: 43)]) { xs in
            let features = try Tensor.conv2d(xs[0], weight: xs[1], padding: 1)
            XCTAssertTrue(features.isBlocked)
            return try Tensor.matmul(features.flattened(), xs[2])
        }
    }

    func testGradientIsBlockedAndAccumulates() throws {
        // The same input used twice: its two blocked gradients are added.
        let x = try uniformTensor([1, 16, 5, 5], seed: 44).requiringGrad()
        let w = uniformTensor([16, 16, 3, 3], seed: 45)
        let y = try Tensor.conv2d(x, weight: w, padding: 1)
        let gradient = try XCTUnwrap(y.gradNode).backward(Tensor.ones(y.shape))[0]!
        XCTAssertTrue(gradient.isBlocked)
        try (Tensor.conv2d(x, weight: w, padding: 1) + Tensor.conv2d(x, weight: w, padding: 1)).sum().backward()
        assertClose(x.grad!.toArray(), try (gradient * 2).toArray(), tolerance: 1e-6)
    }

    // MARK: Reproducibility

    func testRunsAreBitIdentical() throws {
        func run() throws -> [[Float]] {
            let x = try uniformTensor([4, 32, 12, 12], seed: 50).requiringGrad()
            let w1 = try uniformTensor([48, 32, 3, 3], seed: 51).requiringGrad()
            let b1 = try uniformTensor([48], seed: 52).requiringGrad()
            let w2 = try uniformTensor([48, 1, 3, 3], seed: 53).requiringGrad()
            let hidden = try Tensor.conv2d(x, weight: w1, bias: b1, stride: 2, padding: 1).relu()
            let y = try Tensor.conv2d(hidden, weight: w2, padding: 1, groups: 48)
            try (y * uniformTensor(y.shape, seed: 54)).sum().backward()
            return [y.toArray(), x.grad!.toArray(), w1.grad!.toArray(), b1.grad!.toArray(), w2.grad!.toArray()]
        }
        let first = try run(), second = try run()
        for (a, b) in zip(first, second) {
            XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
        }
    }

    // MARK: Errors

    func testErrorMessages() {
        let x = Tensor.zeros([1, 3, 8, 8])
        func message(_ body: () throws -> Tensor) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try Tensor.conv2d(Tensor.zeros([3, 8, 8]), weight: Tensor.zeros([4, 3, 3, 3])) },
                       "conv2d: input must have 4 dimensions (N, C, H, W), got [3, 8, 8]")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 2, 3, 3])) },
                       "conv2d: input [1, 3, 8, 8] has 3 channels, but weight [4, 2, 3, 3] with groups 1 expects 2")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 1, 3, 3]), groups: 2) },
                       "conv2d: input [1, 3, 8, 8] has 3 channels, which groups 2 does not divide")
        XCTAssertEqual(message { try Tensor.conv2d(Tensor.zeros([1, 4, 8, 8]), weight: Tensor.zeros([3, 2, 3, 3]), groups: 2) },
                       "conv2d: weight [3, 2, 3, 3] has 3 output channels, which groups 2 does not divide")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), stride: 0) },
                       "conv2d: stride must be positive, got 0 (input [1, 3, 8, 8], weight [4, 3, 3, 3])")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), stride: (1, 1), padding: (0, 0),
                                            dilation: (1, -1)) },
                       "conv2d: dilation must be positive, got (1, -1) (input [1, 3, 8, 8], weight [4, 3, 3, 3])")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), padding: -1) },
                       "conv2d: padding must be non-negative, got -1 (input [1, 3, 8, 8], weight [4, 3, 3, 3])")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 5, 5]), dilation: 2) },
                       "conv2d: kernel of weight [4, 3, 5, 5] spans 9x9 with dilation 2, "
                           + "more than the padded input 8x8 of input [1, 3, 8, 8] with padding 0")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), bias: Tensor.zeros([3])) },
                       "conv2d: bias [3] must have shape [4] to match weight [4, 3, 3, 3]")
        XCTAssertEqual(message { try Tensor.conv2d(Tensor(shape: [1, 1, 2, 2], indices: [1, 2, 3, 4]),
                                            weight: Tensor.zeros([1, 1, 1, 1])) },
                       "conv2d: input [1, 1, 2, 2] is int64; expected float32")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3])) },
                       "conv2d: weight must have 4 dimensions (out, in/groups, kH, kW), got [4, 3, 3]")
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), groups: 0) },
                       "conv2d: groups must be positive, got 0 (input [1, 3, 8, 8], weight [4, 3, 3, 3])")
        // The padded input is just large enough: no error.
        XCTAssertEqual(message { try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 10, 10]), padding: 1) }, "no error")
    }

    // MARK: Reference

    /// Direct convolution in Double, written from the definition: output
    /// (n, o, i, j) sums input (n, c, i·s − p + k·d, j·s − p + l·d) times
    /// weight (o, c − group start, k, l) over the channels of o's group.
    func directConvolution(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ c: Case) -> (values: [Float], shape: [Int]) {
        let (xv, wv, bv) = (x.toArray(), w.toArray(), b?.toArray())
        let (n, channels, h, width) = (c.input[0], c.input[1], c.input[2], c.input[3])
        let (outChannels, kh, kw) = (c.weight[0], c.weight[2], c.weight[3])
        let oh = (h + 2 * c.padding.0 - c.dilation.0 * (kh - 1) - 1) / c.stride.0 + 1
        let ow = (width + 2 * c.padding.1 - c.dilation.1 * (kw - 1) - 1) / c.stride.1 + 1
        let inPerGroup = channels / c.groups, outPerGroup = outChannels / c.groups
        var out = [Float]()
        for image in 0..<n {
            for o in 0..<outChannels {
                let group = o / outPerGroup
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum = Double(bv?[o] ?? 0)
                        for ci in 0..<inPerGroup {
                            let channel = group * inPerGroup + ci
                            for k in 0..<kh {
                                let row = i * c.stride.0 - c.padding.0 + k * c.dilation.0
                                guard row >= 0, row < h else { continue }
                                for l in 0..<kw {
                                    let column = j * c.stride.1 - c.padding.1 + l * c.dilation.1
                                    guard column >= 0, column < width else { continue }
                                    sum += Double(xv[((image * channels + channel) * h + row) * width + column])
                                        * Double(wv[((o * inPerGroup + ci) * kh + k) * kw + l])
                                }
                            }
                        }
                        out.append(Float(sum))
                    }
                }
            }
        }
        return (out, [n, outChannels, oh, ow])
    }
}
