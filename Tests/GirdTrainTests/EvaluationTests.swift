import XCTest
import GirdData
import GirdNN
import GirdTensor
@testable import GirdTrain

/// A "network" whose logits are its input pixels, so that every figure of
/// an evaluation can be worked out by hand.
private final class PixelLogits: Network {
    init(classes: Int) { super.init(name: "pixels", classes: classes) }
    override var tapNames: [String] { ["logits"] }
    override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        try input.reshaped([input.shape[0], classes])
    }
}

final class EvaluationTests: XCTestCase {
    /// Three 6-class images (pixels / 255 are the logits):
    /// 0: [1, 0, 0, 0, 0, 0], label 0: top-1 right.
    /// 1: [0, .2, .4, .6, .8, 1], label 0: class 0 is last, outside the top 5.
    /// 2: the same logits, label 1: top-1 wrong (5), inside the top 5.
    /// Cross-entropy: log(e + 5) − 1 = 1.0435918; lse = log Σ exp = 2.3493894
    /// for image 1; lse − 0.2 = 2.1493894 for image 2; mean 1.8474568.
    func testFiguresByHand() throws {
        let ramp: [UInt8] = [0, 51, 102, 153, 204, 255]
        let dataset = try Dataset(name: "hand", classes: (0..<6).map(String.init), imageShape: [6, 1, 1],
                                  pixels: [255, 0, 0, 0, 0, 0] + ramp + ramp, labels: [0, 0, 1])
        let model = PixelLogits(classes: 6)
        for batchSize in [1, 2, 3, 256] {
            let result = try Evaluation.evaluate(model, on: dataset, batchSize: batchSize, normalized: false)
            XCTAssertEqual(result.top1, 1.0 / 3, accuracy: 1e-12)
            XCTAssertEqual(result.top5, 2.0 / 3, accuracy: 1e-12)
            XCTAssertEqual(result.loss, 1.8474568, accuracy: 1e-6)
            XCTAssertEqual(result.count, 3)
        }
        XCTAssertTrue(model.isTraining, "the model's mode is restored")
    }

    func testBadArguments() throws {
        let dataset = try Dataset(name: "empty", classes: ["a"], imageShape: [1, 1, 1], pixels: [], labels: [])
        XCTAssertThrowsError(try Evaluation.evaluate(PixelLogits(classes: 1), on: dataset)) { error in
            XCTAssertEqual("\(error)", "evaluate: dataset 'empty' has no images")
        }
    }
}
