import XCTest
import GirdData
import GirdNN
import GirdTensor
import GirdTestImages
@testable import GirdTrain

/// `ReIDEvaluation.evaluate(model, query:, gallery:)`: the retrieval
/// features of a model (the neck, else the embedding) through the protocol,
/// equal to the protocol on the features taken by hand.
final class ReIDModelEvaluationTests: XCTestCase {
    func testModelEvaluationIsTheProtocolOnItsFeatures() throws {
        let folder = NSTemporaryDirectory() + "gird-reid-\(UUID().uuidString)"
        let root = try TestImageFolders.veri776(in: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let query = try Dataset.veri776(root: root, split: "query", size: 32)
        let gallery = try Dataset.veri776(root: root, split: "gallery", size: 32)
        for head in [HeadKind.reid, .classifier] {
            let model = try ModelZoo.make("resnet8", classes: 6, generator: RandomGenerator(seed: 3), head: head)
            let tap = head == .reid ? "neck" : "embedding"
            XCTAssertEqual(ReIDEvaluation.retrievalTap(of: model), tap)
            model.train()
            let result = try ReIDEvaluation.evaluate(model, query: query, gallery: gallery, metric: .cosine, batchSize: 4, threads: 2)
            XCTAssertTrue(model.isTraining, "the mode is restored")
            model.eval()
            let (q, _) = try query.batch(indices: Array(0..<3), normalized: true)
            let (g, _) = try gallery.batch(indices: Array(0..<11), normalized: true)
            let byHand = try GradMode.withoutGradient {
                try ReIDEvaluation.distances(query: model.forward(q, taps: [tap]).features[tap]!,
                                             gallery: model.forward(g, taps: [tap]).features[tap]!, metric: .cosine)
            }
            let expected = try ReIDEvaluation.evaluate(
                distances: byHand, queryIDs: [101, 102, 103], queryCameras: [1, 1, 1],
                galleryIDs: gallery.identities!.ids, galleryCameras: gallery.identities!.cameras)
            XCTAssertEqual(result.meanAveragePrecision, expected.meanAveragePrecision, accuracy: 1e-6, "\(head)")
            XCTAssertEqual(result.cmc, expected.cmc, "\(head)")
            XCTAssertEqual(result.validQueries, 3)
        }
        let plain = try Dataset(name: "plain", classes: ["a"], imageShape: [3, 32, 32], pixels: [UInt8](repeating: 0, count: 3072),
                                labels: [0])
        XCTAssertThrowsError(try ReIDEvaluation.evaluate(try ModelZoo.make("resnet8"), query: plain, gallery: gallery)) { error in
            XCTAssertEqual("\(error)", "reid: 'plain' has no identities and cameras (a re-ID set such as veri776(root, split: \"query\"))")
        }
    }
}
