import CPNG
import Foundation
import GirdTensor
import XCTest
@testable import GirdView

final class HeatmapPNGTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gird-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testWrittenPixelsReadBack() throws {
        // [[0, 1, NaN]] at scale 2: a 6x2 image, each cell a 2x2 square.
        let t = try Tensor(shape: [1, 3], values: [0, 1, .nan])
        let path = folder.appendingPathComponent("map.png").path
        try HeatmapPNG.write(t, to: path, scale: 2)
        let image = try readRGB(path)
        XCTAssertEqual(image.width, 6)
        XCTAssertEqual(image.height, 2)
        let low: [UInt8] = [71, 1, 85], high: [UInt8] = [252, 231, 33], nan: [UInt8] = [255, 0, 255]
        let row = low + low + high + high + nan + nan
        XCTAssertEqual(image.pixels, row + row)
        // Only the PNG is left: the temporary file was renamed over it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["map.png"])
    }

    func testReplacesAnExistingFile() throws {
        let path = folder.appendingPathComponent("map.png").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        try HeatmapPNG.write(try Tensor(shape: [2, 2], values: [1, 2, 3, 4]), to: path)
        XCTAssertEqual(try readRGB(path).width, 2)
    }

    func testErrorsNameThePath() throws {
        let path = folder.appendingPathComponent("missing/map.png").path
        XCTAssertThrowsError(try HeatmapPNG.write(Tensor.ones([2, 2]), to: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write \(path): "), "\(error)")
        }
        XCTAssertThrowsError(try HeatmapPNG.write(Tensor.zeros([0, 3]), to: folder.appendingPathComponent("e.png").path)) {
            XCTAssertTrue("\($0)".hasSuffix("a PNG cannot be empty (shape [0, 3])"), "\($0)")
        }
    }
}
