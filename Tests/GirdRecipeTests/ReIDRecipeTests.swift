import Foundation
import GirdTestImages
import XCTest
@testable import GirdRecipe

/// Re-identification from a recipe, on a tiny folder in VeRi-776's exact
/// layout: the sets and their ids, a re-ID model trained alone with CE and
/// the triplet loss on P x K batches, `evaluate(m, query, gallery)` equal to
/// `reid_eval` on the model's own neck features, distillation with KD and
/// GIRD on the embeddings, and the image strip.
final class ReIDRecipeTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "gird-reid-recipe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func testTrainEvaluateDistillAndDraw() throws {
        let root = try TestImageFolders.veri776(in: folder)
        let (value, output) = try runRecipe("""
            seed(0)
            let cars = veri776("\(root)", split: "train", size: 32)
            let query = veri776("\(root)", split: "query", size: 32)
            let gallery = veri776("\(root)", split: "gallery", size: 32)
            print(len(cars), len(cars.classes), query.ids, gallery.cameras)
            let m = model("resnet8", classes: len(cars.classes), head: "reid")
            print(m.taps())
            let alone = train(m, cars, losses: [ce(label_smoothing: 0.1), triplet()], epochs: 2, batch_size: 8,
                              instances: 2, lr: 0.05, augment: ["flip", "reid_crop", "random_erasing"], out: "\(folder)/alone")
            let e = evaluate(m, query, gallery)
            let qf = m.features(query.batch([0, 1, 2]).images).neck
            let gf = m.features(gallery.batch(range(len(gallery))).images).neck
            let r = reid_eval(qf, query.ids, query.cameras, gf, gallery.ids, gallery.cameras)
            print(e.map == r.map, e.rank1 == r.rank1, e.rank5 == r.rank5, e.rank10 == r.rank10)
            let t = model("resnet14", classes: len(cars.classes), head: "reid")
            let s = model("resnet8", classes: len(cars.classes), head: "reid")
            let d = distill(teacher: t, student: s, data: cars, epochs: 1, batch_size: 8, instances: 2,
                            losses: [ce(label_smoothing: 0.1), triplet(), kd(weight: 0.5), gird(taps: ["stage3", "embedding"], bank: 16)],
                            out: "\(folder)/gird")
            let shown = reid_strip(s, query, gallery, 1, "\(folder)/strip.png", top: 4)
            print(len(shown))
            e
            """)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "24 6 tensor([101, 102, 103]) tensor([1, 2, 3, 1, 2, 3, 1, 2, 3, 2, 3])")
        XCTAssertTrue(lines[1].contains("\"embedding\", \"neck\", \"logits\""), lines[1])
        XCTAssertTrue(output.contains("true true true true"), output)
        XCTAssertTrue(lines.last == "4", output)
        guard case .record(let record) = value else { return XCTFail("not a record: \(value)") }
        XCTAssertEqual(record.keys, ["map", "rank1", "rank5", "rank10"])
        // The run records the head and P x K sampling, so that resume rebuilds both.
        let runFile = try String(contentsOfFile: "\(folder)/alone/run.json", encoding: .utf8)
        XCTAssertTrue(runFile.contains("\"head\" : \"reid\""), runFile)
        XCTAssertTrue(runFile.contains("\"instances\" : 2"), runFile)
        XCTAssertTrue(runFile.contains("\"triplet\""), runFile)
        // P x K: 6 identities of 4 images, K = 2: 12 chunks, P = 4: 3 steps an epoch.
        let metrics = try String(contentsOfFile: "\(folder)/alone/metrics.jsonl", encoding: .utf8)
        XCTAssertTrue(metrics.contains("\"loss_triplet\""), metrics)
        let png = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/strip.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        // 5 tiles of 32 + 8 frame pixels, 2·6 + 3·6 gaps; 40 high.
        XCTAssertEqual(png.subdata(in: 16..<24).map { $0 }, [0, 0, 0, 5 * 40 + 30, 0, 0, 0, 40])
    }

    func testTeacherlessTermsAndBadSettingsAreNamed() throws {
        let root = try TestImageFolders.veri776(in: folder)
        XCTAssertTrue(errorText("""
            let d = veri776("\(root)")
            train(model("resnet8", classes: 6), d, losses: [kd()], epochs: 1, out: "\(folder)/kd")
            """).contains("kd reads a teacher; without one only the student's own terms apply (ce, triplet)"))
        XCTAssertTrue(errorText("""
            let d = veri776("\(root)")
            train(model("resnet8", classes: 6), d, epochs: 1, batch_size: 8, instances: 3, out: "\(folder)/pk")
            """).contains("P x K sampling needs a batch size that is a multiple of instances (K) with at least 2 identities a batch, got batch size 8 and instances 3"))
        XCTAssertTrue(errorText("""
            let d = veri776("\(root)", size: 32)
            d.subset(2, seed: 0).ids
            """).isEmpty)
        XCTAssertTrue(errorText("fashion_mnist().ids").contains("is not a re-ID set"), errorText("fashion_mnist().ids"))
        XCTAssertTrue(errorText("model(\"vgg8\", head: \"reid\")").contains("the re-ID head is built for the ResNets"))
    }
}
