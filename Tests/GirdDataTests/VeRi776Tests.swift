import Foundation
import GirdTestImages
import XCTest
import GirdTensor
@testable import GirdData

/// VeRi-776's layout, read from a tiny generated folder in the exact
/// layout (`TestImageFolders.veri776`): splits, ids, cameras, the lists, and
/// every error naming the file and the part that is wrong.
final class VeRi776Tests: XCTestCase {
    func testTrainingSplitNumbersTheVehiclesAndKeepsIdsAndCameras() throws {
        let root = try TestImageFolders.veri776(in: try temporaryFolder())
        let train = try Dataset.veri776(root: root, split: "train", size: 32)
        XCTAssertEqual(train.count, 24)
        XCTAssertEqual(train.classes, ["0001", "0002", "0003", "0004", "0005", "0006"])
        XCTAssertEqual(train.imageShape, [3, 32, 32])
        XCTAssertEqual(train.normalization, .imageNet)
        XCTAssertEqual(train.files?.fit, .stretch)
        let identities = try XCTUnwrap(train.identities)
        XCTAssertEqual(Array(identities.ids.prefix(5)), [1, 1, 1, 1, 2])
        XCTAssertEqual(Array(identities.cameras.prefix(4)), [1, 1, 2, 2], "0001_c001_..., then 0001_c002_..., in byte order")
        XCTAssertEqual(train.labels, identities.ids.map { $0 - 1 })
        XCTAssertEqual(train.files?.paths.first, "\(root)/image_train/0001_c001_00016001_0.jpg")
        // A subset keeps each image's identity and camera.
        let subset = try train.subset(indices: [5, 0])  // 0002_c001_..._2 and 0001_c001_..._0
        XCTAssertEqual(subset.identities, Identities(ids: [2, 1], cameras: [1, 1]))
        XCTAssertEqual(subset.labels, [1, 0])
    }

    func testQueryAndGalleryShareTheirIds() throws {
        let root = try TestImageFolders.veri776(in: try temporaryFolder())
        let query = try Dataset.veri776(root: root, split: "query", size: 32)
        let gallery = try Dataset.veri776(root: root, split: "gallery", size: 32)
        XCTAssertEqual(query.identities, Identities(ids: [101, 102, 103], cameras: [1, 1, 1]))
        XCTAssertEqual(gallery.identities?.ids, [101, 101, 101, 102, 102, 102, 103, 103, 103, 104, 104])
        XCTAssertEqual(gallery.identities?.cameras, [1, 2, 3, 1, 2, 3, 1, 2, 3, 2, 3])
        XCTAssertEqual(gallery.classes, ["0101", "0102", "0103", "0104"])
        XCTAssertEqual(gallery.name, "VeRi-776 (gallery, image_test)")
        let batch = try query.batch(indices: [0, 2], normalized: false, threads: 2)
        XCTAssertEqual(batch.images.shape, [2, 3, 32, 32])
    }

    func testListsGiveTheSplitAndItsOrder() throws {
        let root = try TestImageFolders.veri776(in: try temporaryFolder(), lists: true)
        // The list in another order, with a blank line: the list's order wins.
        let listed = ["0003_c001_00016003_0.jpg", "", "0001_c002_00016038_1.jpg"]
        try Data(listed.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: root + "/name_train.txt"))
        let train = try Dataset.veri776(root: root, split: "train", size: 32)
        XCTAssertEqual(train.files?.paths, ["\(root)/image_train/0003_c001_00016003_0.jpg", "\(root)/image_train/0001_c002_00016038_1.jpg"])
        XCTAssertEqual(train.classes, ["0001", "0003"])
        XCTAssertEqual(train.labels, [1, 0])

        try Data("0001_c001_00016001_0.jpg\n0009_c001_00016001_0.jpg\n".utf8).write(to: URL(fileURLWithPath: root + "/name_train.txt"))
        XCTAssertEqual(errorText { try Dataset.veri776(root: root, split: "train") },
                       "\(root)/image_train/0009_c001_00016001_0.jpg: not found; \(root)/name_train.txt, line 2, lists it")
    }

    func testErrorsNameTheFileAndThePart() throws {
        let root = try TestImageFolders.veri776(in: try temporaryFolder())
        XCTAssertEqual(errorText { try Dataset.veri776(root: root, split: "test") },
                       "veri776: split must be \"train\", \"query\" or \"gallery\", got \"test\"")
        XCTAssertEqual(errorText { try Dataset.veri776(root: root + "/nowhere", split: "train") },
                       "\(root)/nowhere: not found; pass the unpacked VeRi folder (image_train/, image_query/, image_test/)")
        let cases: [(String, String)] = [
            ("car.jpg", "1 parts separated by _, not 4"),
            ("00x1_c001_00016001_0.jpg", "the vehicle id \"00x1\" is not a number"),
            ("0001_d001_00016001_0.jpg", "the camera \"d001\" does not start with c"),
            ("0001_c0a1_00016001_0.jpg", "the camera number \"0a1\" is not a number"),
            ("0001_c001_0001600_.jpg", "the index \"\" is not a number"),
        ]
        for (name, problem) in cases {
            let bad = "\(root)/image_train/\(name)"
            try Data([0xFF, 0xD8]).write(to: URL(fileURLWithPath: bad))
            XCTAssertEqual(errorText { try Dataset.veri776(root: root, split: "train") },
                           "\(bad): file name \"\(name)\" is not VVVV_cCCC_TTTTTTTT_N.jpg: \(problem)")
            try FileManager.default.removeItem(atPath: bad)
        }
        // A query vehicle with no gallery image cannot be evaluated.
        for camera in 1...3 {
            try FileManager.default.removeItem(atPath: String(format: "%@/image_test/0103_c%03d_%08d_%d.jpg", root, camera, 16_000 + 37 * camera + 103, camera))
        }
        XCTAssertEqual(errorText { try Dataset.veri776(root: root, split: "query") },
                       "\(root)/image_query/0103_c001_00016436_9.jpg: vehicle 103 has no image in the gallery (\(root)/image_test): the query cannot be evaluated")
        try FileManager.default.removeItem(atPath: root + "/image_query")
        XCTAssertEqual(errorText { try Dataset.veri776(root: root, split: "query") },
                       "\(root)/image_query: not found; VeRi-776's query images go in \(root)/image_query (VVVV_cCCC_TTTTTTTT_N.jpg)")
    }

    /// A source records the split; loading it again gives the same set.
    func testSourceLoadsTheSameSet() throws {
        let root = try TestImageFolders.veri776(in: try temporaryFolder())
        let source = DatasetSource.veri776(root: root, split: "gallery", size: 32, scaledDecoding: true)
        let loaded = try source.load()
        XCTAssertEqual(loaded.fingerprint, try Dataset.veri776(root: root, split: "gallery", size: 32).fingerprint)
        let coded = try JSONDecoder().decode(DatasetSource.self, from: try JSONEncoder().encode(source))
        XCTAssertEqual(coded, source)
        // Fingerprints see the cameras (a gallery with a camera renumbered differs).
        var other = loaded
        other.identities = Identities(ids: loaded.identities!.ids, cameras: loaded.identities!.cameras.map { $0 + 1 })
        XCTAssertNotEqual(other.fingerprint, loaded.fingerprint)
    }
}
