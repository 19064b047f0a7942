import CDNNL
import XCTest
@testable import GirdTensor

/// Element-wise ops on tensors in oneDNN's channel-blocked layout: they must
/// keep the layout (no reorder between conv, BN and ReLU) and give the same
/// values as on the plain tensor, with the padding channels left at zero.
final class BlockedLayoutTests: XCTestCase {
    /// 20 channels: one full block of 16 and one padded block of 4.
    let shape = [2, 20, 3, 3]

    func blocked(_ tensor: Tensor) -> Tensor {
        DNNLReorder.toFormat(tensor, .tagged(tensor.shape, dnnl_nChw16c))
    }

    func testReorderRoundTripAndPadding() throws {
        let x = uniformTensor(shape, seed: 1)
        let b = blocked(x)
        XCTAssertTrue(b.isBlocked)
        // 2 images x 32 padded channels x 9 pixels.
        XCTAssertEqual(b.bufferFloatCount, 2 * 32 * 9)
        XCTAssertEqual(b.toArray(), x.toArray())
    }

    func testZeroPreservingOpsKeepLayout() throws {
        let x = uniformTensor(shape, seed: 2)
        let b = blocked(x)
        for (name, op) in [("relu", { (t: Tensor) in try t.relu() }),
                           ("neg", { (t: Tensor) in try -t }),
                           ("tanh", { (t: Tensor) in try t.tanh() })] {
            let result = try op(b)
            XCTAssertTrue(result.isBlocked, name)
            XCTAssertEqual(result.toArray(), try op(x).toArray(), name)
        }
        // exp(0) = 1 would fill the padding: it must go plain.
        XCTAssertFalse(try b.exp().isBlocked)
        XCTAssertEqual(try b.exp().toArray(), try x.exp().toArray())
    }

    func testSameLayoutAddStaysBlockedAndMixedAddIsPlain() throws {
        let x = uniformTensor(shape, seed: 3), y = uniformTensor(shape, seed: 4)
        let sum = try blocked(x) + blocked(y)
        XCTAssertTrue(sum.isBlocked)
        XCTAssertEqual(sum.toArray(), try (x + y).toArray())
        let mixed = try blocked(x) + y
        XCTAssertFalse(mixed.isBlocked)
        XCTAssertEqual(mixed.toArray(), try (x + y).toArray())
    }

    func testGradientsThroughBlockedOps() throws {
        let x = try Tensor(shape: shape, values: uniformTensor(shape, seed: 5).toArray()).requiringGrad()
        let y = try blockedLeafCopy(x)
        let loss = try ((y.relu() + y) * 2).sum()
        try loss.backward()
        // d/dx of 2·(relu(x) + x) = 2·(1[x > 0] + 1).
        let expected = x.toArray().map { Float($0 > 0 ? 4 : 2) }
        XCTAssertEqual(x.grad?.toArray(), expected)
        XCTAssertFalse(x.grad!.isBlocked)
    }

    /// A blocked tensor on the tape whose gradient flows back to plain `x`
    /// (as a convolution's output would).
    private func blockedLeafCopy(_ x: Tensor) throws -> Tensor {
        let format = DNNLFormat.tagged(x.shape, dnnl_nChw16c)
        return DNNLReorder.toFormat(x.detach(), format).recorded("toBlocked", [x]) { g in [g.plain()] }
    }
}
