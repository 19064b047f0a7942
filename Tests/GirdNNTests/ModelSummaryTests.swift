import Foundation
import XCTest
@testable import GirdNN
import GirdTensor

/// `ModelSummary` against PyTorch: every network of the zoo has the
/// parameter count and the multiply-accumulates (convolutions and linear
/// layers, one 3x32x32 image, 100 classes) that `scripts/make-summary-fixture.py`
/// counted on the same architectures in PyTorch, the convention of
/// torchinfo's "Total params" and ptflops's MACs.
final class ModelSummaryTests: XCTestCase {
    struct Counted: Decodable {
        let params: Int
        let macs: Int
        let counted_layers: Int
    }

    func testEveryZooNetworkMatchesPyTorchsCounts() throws {
        let data = try Data(contentsOf: PyTorchFixtures.root.appendingPathComponent("summary.json"))
        let expected = try JSONDecoder().decode([String: Counted].self, from: data)
        var checked = 0
        for name in ModelZoo.names {
            guard let counts = expected[name] else { continue }
            let network = try ModelZoo.make(name, classes: 100, inChannels: 3, generator: RandomGenerator(seed: 1))
            let summary = try ModelSummary.make(network, inputShape: [1, 3, 32, 32])
            XCTAssertEqual(summary.parameters, counts.params, name)
            XCTAssertEqual(summary.multiplyAccumulates, counts.macs, name)
            XCTAssertEqual(summary.rows.filter { $0.kind == "Conv2d" || $0.kind == "Linear" }.count, counts.counted_layers, name)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 20)
    }

    /// resnet8 by hand: its first rows, a batch of 2 (MACs stay per image),
    /// the table's totals line, and the mode restored.
    func testRowsShapesAndTable() throws {
        let network = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
        network.train()
        let summary = try ModelSummary.make(network, inputShape: [2, 1, 32, 32])
        XCTAssertTrue(network.isTraining)
        XCTAssertEqual(summary.rows[0], ModelSummary.Row(name: "conv1", kind: "Conv2d", outputShape: [2, 16, 32, 32],
                                                         parameters: 144, multiplyAccumulates: 16 * 32 * 32 * 9))
        XCTAssertEqual(summary.rows[1], ModelSummary.Row(name: "bn1", kind: "BatchNorm2d", outputShape: [2, 16, 32, 32],
                                                         parameters: 32, multiplyAccumulates: 0))
        XCTAssertEqual(summary.rows.last, ModelSummary.Row(name: "fc", kind: "Linear", outputShape: [2, 10],
                                                           parameters: 650, multiplyAccumulates: 640))
        XCTAssertEqual(summary.parameters, 77_754)
        XCTAssertEqual(summary.multiplyAccumulates, 12_206_720)
        XCTAssertTrue(summary.table.hasSuffix("resnet8 on [2, 1, 32, 32]: 77,754 parameters (0.30 MB as float32), 12.21 M MACs per image"),
                      summary.table)
        XCTAssertNil(ForwardObserver.current)
        XCTAssertThrowsError(try ModelSummary.make(network, inputShape: [1, 32, 32])) { error in
            XCTAssertEqual("\(error)", "summary: the input shape must be [N, C, H, W] of positive sizes, got [1, 32, 32]")
        }
    }
}
