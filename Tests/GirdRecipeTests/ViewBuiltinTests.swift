import Foundation
import XCTest
@testable import GirdRecipe

/// show, heatmap and relations, with the drawing mode a front end would pass.
final class ViewBuiltinTests: XCTestCase {
    func testShowDrawsAHeatmapOnlyWhenTheFrontEndSaysSo() throws {
        let code = "show(tensor([[0, 1], [2, 3]]))"
        XCTAssertEqual(try runRecipe(code).output, "Tensor [2, 2] float32  min 0  mean 1.5  max 3  NaN 0\n")
        // Plain mode (a dumb terminal): the ASCII ramp, one character per cell.
        let drawn = try runRecipe(code) { $0.heatmapMode = .plain }.output
        XCTAssertTrue(drawn.hasPrefix("Tensor [2, 2] float32  min 0  mean 1.5  max 3  NaN 0\n -\n*@\n0 ["), drawn)
        let colour = try runRecipe(code) { $0.heatmapMode = .trueColor }.output
        XCTAssertTrue(colour.contains("\u{1B}[38;2;"), colour)
    }

    func testShowOfOneChannelOfAFeatureMap() throws {
        let output = try runRecipe("let x = zeros([2, 4, 3, 3])\nshow(x, channel: 3)") { $0.heatmapMode = .plain }.output
        XCTAssertTrue(output.contains("sample 0, channel 3:\n"), output)
        XCTAssertEqual(errorText("show(zeros([2, 4, 3, 3]), channel: 4)"), """
            <-e>:1:1: error: show(): channel 4 is outside the 4 channel(s) of a tensor of shape [2, 4, 3, 3]
                show(zeros([2, 4, 3, 3]), channel: 4)
                ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~

            """)
    }

    func testHeatmapWritesAPNGOfTheScaledSize() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gird-heatmap-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try runRecipe("heatmap(randn([3, 5]), \(Value.quote(path)), scale: 4)")
        let bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: big-endian width and height at bytes 16 and 20.
        let word = { (at: Int) in bytes[at ..< at + 4].reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual(word(16), 20)
        XCTAssertEqual(word(20), 12)
    }

    func testRelationsOfTeacherAndStudent() throws {
        let code = """
            seed(1)
            let data = fashion_mnist(split: "test")
            let teacher = model("resnet8x4", classes: 10, in_channels: 1)
            let student = model("resnet8", classes: 10, in_channels: 1)
            let r = relations(teacher, student, data, tap: "stage3", batch: 4)
            let q = {teacher: randn([3, 256]), student: randn([3, 64])}
            let banked = relations(teacher, student, data, batch: 4, bank: q)
            [r.teacher.shape, r.student.shape, banked.student.shape, r.teacher[1][1].item(), r.student[2][2].item()]
            """
        let (value, output) = try runRecipe(code)
        guard case .list(let items) = value, items.count == 5,
              case .float(let teacherSelf) = items[3], case .float(let studentSelf) = items[4] else {
            return XCTFail("unexpected \(value.repr)")
        }
        XCTAssertEqual(items[0].repr, "[4, 4]")
        XCTAssertEqual(items[1].repr, "[4, 4]")
        XCTAssertEqual(items[2].repr, "[4, 7]")
        // Embeddings are L2-normalised: every image is at similarity 1 with itself.
        XCTAssertEqual(teacherSelf, 1, accuracy: 1e-5)
        XCTAssertEqual(studentSelf, 1, accuracy: 1e-5)
        // On a pipe, the two summary lines.
        XCTAssertTrue(output.hasPrefix("teacher: Tensor [4, 4] float32  min "), output)
        XCTAssertTrue(output.contains("\nstudent: Tensor [4, 4] float32  min "), output)
        let drawn = try runRecipe(code) { $0.heatmapMode = .plain }.output
        XCTAssertTrue(drawn.hasPrefix("relations at 'stage3' on 4 images, [4, 4]:\nteacher"), drawn)
        XCTAssertTrue(drawn.contains("student - teacher"), drawn)
    }
}
