import CDNNL
import XCTest
@testable import GirdTensor

/// A small residual block, conv -> BN -> ReLU -> conv + skip -> max pool ->
/// global pool, run in each activation layout: the layout changes where the
/// bytes sit and the order of sums, so values and gradients must agree to
/// float rounding, and each layout must keep its own format end to end.
final class ActivationLayoutTests: XCTestCase {
    override func tearDown() { ActivationLayout.preferred = ActivationLayout.machineDefault }

    struct Outcome {
        let output: [Float]
        let gradients: [[Float]]
        let hiddenFormat: DNNLFormat?
    }

    func runBlock(in layout: ActivationLayout) throws -> Outcome {
        ActivationLayout.preferred = layout
        let x = try Tensor(shape: [4, 20, 8, 8], values: uniformTensor([4, 20, 8, 8], seed: 1).toArray()).requiringGrad()
        let w1 = try Tensor(shape: [20, 20, 3, 3], values: uniformTensor([20, 20, 3, 3], seed: 2, low: -0.2, high: 0.2).toArray()).requiringGrad()
        let w2 = try Tensor(shape: [20, 20, 3, 3], values: uniformTensor([20, 20, 3, 3], seed: 3, low: -0.2, high: 0.2).toArray()).requiringGrad()
        let gamma = try Tensor.full([20], value: 1.5).requiringGrad(), beta = try Tensor.full([20], value: 0.1).requiringGrad()
        let hidden = try Tensor.batchNorm(Tensor.conv2d(x, weight: w1, padding: 1), weight: gamma, bias: beta,
                                          runningMean: .zeros([20]), runningVariance: .ones([20]), training: true).relu()
        let block = try (Tensor.conv2d(hidden, weight: w2, padding: 1) + Tensor.conv2d(x, weight: w2, padding: 1)).maxPool2d(kernel: 2)
        let output = try block.globalAvgPool()
        try (output * output).sum().backward()
        var format: DNNLFormat?
        if case let .blocked(f) = hidden.layout { format = f }
        return Outcome(output: output.toArray(), gradients: [x, w1, w2, gamma, beta].map { $0.grad!.toArray() }, hiddenFormat: format)
    }

    func testLayoutsAgreeAndKeepTheirFormat() throws {
        let blocked = try runBlock(in: .blocked)
        let channelsLast = try runBlock(in: .channelsLast)
        // Float32 sums of a few hundred terms in another order differ by a
        // few ulps of the largest term: 1e-4 relative is ample and far below
        // any real error (a wrong index or layout gives O(1) differences).
        assertClose(channelsLast.output, blocked.output, tolerance: 1e-4)
        for (a, b) in zip(channelsLast.gradients, blocked.gradients) { assertClose(a, b, tolerance: 1e-4) }
        XCTAssertEqual(channelsLast.hiddenFormat, .tagged([4, 20, 8, 8], dnnl_nhwc))
        XCTAssertNotEqual(blocked.hiddenFormat, .tagged([4, 20, 8, 8], dnnl_nhwc))
        XCTAssertNotNil(blocked.hiddenFormat)
    }

    func testEachLayoutIsDeterministic() throws {
        for layout in ActivationLayout.allCases {
            let first = try runBlock(in: layout), second = try runBlock(in: layout)
            XCTAssertEqual(first.output.map(\.bitPattern), second.output.map(\.bitPattern), "\(layout)")
            XCTAssertEqual(first.gradients.flatMap { $0 }.map(\.bitPattern), second.gradients.flatMap { $0 }.map(\.bitPattern), "\(layout)")
        }
    }
}
