import Foundation
import XCTest
import GirdTensor
@testable import GirdTrain

/// The re-identification protocol against an independent NumPy
/// implementation written as torchreid's `eval_market1501`
/// (scripts/reid_reference.py): random distance matrices with many ties,
/// queries whose identity is missing from the gallery or only on their own
/// camera, single-image identities; mAP and CMC to 1e-6.
final class ReIDEvaluationTests: XCTestCase {
    struct Case: Decodable {
        let distances: [Float]
        let query_ids: [Int64], query_cams: [Int64], gallery_ids: [Int64], gallery_cams: [Int64]
        let map: Double
        let cmc: [Double]
        let valid: Int
    }

    func testMatchesTheReferenceImplementation() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/reid/cases.json")
        struct File: Decodable { let cases: [Case] }
        let cases = try JSONDecoder().decode(File.self, from: Data(contentsOf: path)).cases
        XCTAssertEqual(cases.count, 4)
        for (k, reference) in cases.enumerated() {
            let result = try ReIDEvaluation.evaluate(distances: reference.distances, queryIDs: reference.query_ids,
                                                     queryCameras: reference.query_cams, galleryIDs: reference.gallery_ids,
                                                     galleryCameras: reference.gallery_cams)
            XCTAssertEqual(result.validQueries, reference.valid, "case \(k)")
            XCTAssertEqual(result.meanAveragePrecision, reference.map, accuracy: 1e-6, "case \(k)")
            for (rank, (ours, theirs)) in zip(result.cmc, reference.cmc).enumerated() {
                XCTAssertEqual(ours, theirs, accuracy: 1e-6, "case \(k) rank \(rank + 1)")
            }
        }
    }

    /// A worked example. Query 0 (id 1, camera 0) ranks the gallery
    /// [id 1 cam 0 (set aside), id 2, id 1 cam 1, id 1 cam 2]: matches at
    /// ranks 2 and 3 of what is kept, AP = (1/2 + 2/3) / 2 = 7/12. Query 1
    /// (id 2, camera 1) finds id 2 first: AP 1. Query 2 (id 9) has no match
    /// and is left out.
    func testAWorkedExample() throws {
        let distances: [Float] = [0.1, 0.2, 0.3, 0.4,
                                  0.5, 0.0, 0.6, 0.7,
                                  0.1, 0.2, 0.3, 0.4]
        let result = try ReIDEvaluation.evaluate(distances: distances, queryIDs: [1, 2, 9], queryCameras: [0, 1, 0],
                                                 galleryIDs: [1, 2, 1, 1], galleryCameras: [0, 0, 1, 2], maxRank: 3)
        XCTAssertEqual(result.validQueries, 2)
        XCTAssertEqual(result.meanAveragePrecision, (7.0 / 12 + 1) / 2, accuracy: 1e-12)
        XCTAssertEqual(result.cmc, [0.5, 1, 1])
        XCTAssertThrowsError(try ReIDEvaluation.evaluate(distances: [0.1], queryIDs: [1], queryCameras: [0], galleryIDs: [1],
                                                         galleryCameras: [0])) {
            XCTAssertEqual("\($0)", "reid: no query identity appears in the gallery (from another camera)")
        }
    }

    /// Euclidean distances are torchreid's squared ones; cosine is 1 − cos.
    func testDistances() throws {
        let query = try Tensor(shape: [1, 2], values: [1, 0]), gallery = try Tensor(shape: [2, 2], values: [0, 2, 3, 0])
        XCTAssertEqual(try ReIDEvaluation.distances(query: query, gallery: gallery, metric: .euclidean), [5, 4])
        let cosine = try ReIDEvaluation.distances(query: query, gallery: gallery, metric: .cosine)
        XCTAssertEqual(cosine[0], 1, accuracy: 1e-6)
        XCTAssertEqual(cosine[1], 0, accuracy: 1e-6)
    }
}
