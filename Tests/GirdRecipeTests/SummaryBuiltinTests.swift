import XCTest
@testable import GirdRecipe

/// `summary(m)` and `summary(student, teacher:)` from a recipe.
final class SummaryBuiltinTests: XCTestCase {
    func testSummaryPrintsTheTableAndReturnsTheCounts() throws {
        let (value, output) = try runRecipe("""
            let s = summary(model("resnet8", classes: 10, in_channels: 1))
            [s.params, s.macs, len(s.layers), s.layers[0].name, s.layers[0].output, s.layers[0].macs]
            """)
        XCTAssertEqual(value.repr, "[77754, 12206720, 19, \"conv1\", [1, 16, 32, 32], 147456]")
        XCTAssertTrue(output.hasPrefix("layer "), output)
        XCTAssertTrue(output.contains("fc                     Linear       [1, 10]             650        640"), output)
        XCTAssertTrue(output.hasSuffix("resnet8 on [1, 1, 32, 32]: 77,754 parameters (0.30 MB as float32), 12.21 M MACs per image\n"), output)
    }

    /// A pair: the teacher's counts, the ratios (exact from the counts) and
    /// both latencies at batch 1 and 64 (positive; their values are the machine's).
    func testAPairGivesCompressionAndLatency() throws {
        let (value, output) = try runRecipe("""
            let s = summary(model("resnet8", classes: 10, in_channels: 1), teacher: model("resnet20", classes: 10, in_channels: 1),
                            table: false)
            [s.teacher.params, s.teacher.macs, s.compression.params == 272186 / 77754, s.compression.macs == 40518272 / 12206720,
             s.latency_ms.batch1.student > 0, s.latency_ms.batch64.teacher > 0]
            """)
        XCTAssertEqual(value.repr, "[272186, 40518272, true, true, true, true]")
        XCTAssertTrue(output.contains("teacher resnet20 272,186 parameters, 40.52 M MACs; student resnet8 77,754 parameters, "
                                      + "12.21 M MACs: 3.50x fewer parameters, 3.32x fewer MACs"), output)
        XCTAssertTrue(output.contains("eval latency at batch 64: teacher "), output)
        XCTAssertTrue(output.hasPrefix("teacher resnet20 "), "table: false prints the totals only: \(output)")
    }

    func testBadInputsAreNamed() {
        XCTAssertTrue(errorText("summary(model(\"resnet8\", classes: 10, in_channels: 1), input: [1, 3, 32, 32])")
            .contains("summary(): the model takes 1 input channel, and input has 3"))
        XCTAssertTrue(errorText("summary(model(\"resnet8\", classes: 10), input: [1, 3, 32])")
            .contains("summary(): input must be a shape [N, C, H, W] of positive sizes, got [1, 3, 32]"))
        XCTAssertTrue(errorText("summary(model(\"resnet8\", classes: 10), teacher: model(\"resnet20\", classes: 10, in_channels: 1))")
            .contains("summary(): the teacher takes 1 input channels and the student 3"))
    }
}

/// `export_onnx` from a recipe: the file, and its argument errors.
final class ExportBuiltinTests: XCTestCase {
    func testExportWritesAnONNXFile() throws {
        let folder = FileManager.default.currentDirectoryPath + "/.build/export-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try runRecipe("export_onnx(model(\"resnet8\", classes: 10, in_channels: 1), \"\(folder)/m.onnx\", batch: 4)")
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: folder + "/m.onnx"))
        XCTAssertGreaterThan(bytes.count, 77_754 * 4, "the weights are inside")
        XCTAssertTrue(bytes.range(of: Data("GIRD".utf8)) != nil && bytes.range(of: Data("logits".utf8)) != nil)
    }

    func testBadArgumentsAreNamed() {
        let m = "model(\"resnet8\", classes: 10, in_channels: 1)"
        XCTAssertTrue(errorText("export_onnx(\(m), \"m.onnx\", batch: 0)")
            .contains("export_onnx(): batch must be \"dynamic\" or a size of at least 1, got 0"))
        XCTAssertTrue(errorText("export_onnx(\(m), \"m.onnx\", batch: \"any\")")
            .contains("export_onnx(): batch must be \"dynamic\" or a size of at least 1, got \"any\""))
        XCTAssertTrue(errorText("export_onnx(\(m), \"m.onnx\", input: [3, 32, 32])")
            .contains("export_onnx(): the model takes 1 input channel, and input has 3"))
        XCTAssertTrue(errorText("export_onnx(\(m), \"/m.onnx\")").contains("export_onnx(): refusing to write '/m.onnx'"))
    }
}
