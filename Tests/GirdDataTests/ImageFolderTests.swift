import CJPEG
import CPNG
import Foundation
import XCTest
@testable import GirdData

/// Writes interleaved 8-bit pixels (3 components RGB, 1 grey) as a PNG with libpng's simplified API.
func writePNG(_ pixels: [UInt8], width: Int, height: Int, components: Int = 3, to path: String) throws {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = components == 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0
    let written = pixels.withUnsafeBytes {
        png_image_write_to_file(&image, path, 0, $0.baseAddress, Int32(width * components), nil)
    }
    png_image_free(&image)
    guard written != 0 else { throw CocoaError(.fileWriteUnknown) }
}

/// Writes interleaved 8-bit RGB as a JPEG with libjpeg's compressor (quality 95).
func writeJPEG(_ pixels: [UInt8], width: Int, height: Int, to path: String) throws {
    var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
    let status = message.withUnsafeMutableBufferPointer { text in
        gird_jpeg_encode_file(path, pixels, Int32(width), Int32(height), 3, 95, text.baseAddress)
    }
    guard status == 0 else { throw CocoaError(.fileWriteUnknown) }
}

final class ImageFolderTests: XCTestCase {
    /// 4x4 RGB, every pixel different: (16·y + 4·x, 100 + x, 200 − y).
    let gradient: [UInt8] = {
        var bytes: [UInt8] = []
        for y in 0..<4 {
            for x in 0..<4 { bytes += [UInt8(16 * y + 4 * x), UInt8(100 + x), UInt8(200 - y)] }
        }
        return bytes
    }()

    func makeFolder() throws -> String {
        let root = try temporaryFolder() + "/set"
        for name in ["zebra", "ant", "Bee"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
        }
        // ant: a lossless gradient (identity resize), and an 8x8 constant colour (2x downscale).
        try writePNG(gradient, width: 4, height: 4, to: "\(root)/ant/b.PNG")
        try writePNG([UInt8]((0..<64).flatMap { _ in [10, 20, 30] as [UInt8] }), width: 8, height: 8, to: "\(root)/ant/a.png")
        try write(Array("not an image".utf8), to: "\(root)/ant/notes.txt")
        // Bee: a constant-colour JPEG, 8x12 (centre crop of the longer side too).
        try writeJPEG([UInt8]((0..<96).flatMap { _ in [200, 100, 50] as [UInt8] }), width: 8, height: 12,
                      to: "\(root)/Bee/c.JPG")
        // zebra: a grey PNG, replicated to RGB, 4x6 (top crop of 1 after no resize).
        try writePNG([UInt8]((0..<24).map { UInt8($0 * 10) }), width: 4, height: 6, components: 1, to: "\(root)/zebra/g.jpeg.png")
        return root
    }

    func testClassesLabelsOrderAndPixels() throws {
        let root = try makeFolder()
        let data = try Dataset.imageFolder(root: root, size: 4)
        XCTAssertEqual(data.name, "set")
        XCTAssertEqual(data.classes, ["Bee", "ant", "zebra"], "byte order: upper case first")
        XCTAssertEqual(data.labels, [0, 1, 1, 2])
        XCTAssertEqual(data.imageShape, [3, 4, 4])
        let image = { (i: Int) in Array(data.pixels[i * 48..<(i + 1) * 48]) }
        // JPEG of one colour: 8x12 -> 4x6 -> crop 4x4, within ±3 of (200, 100, 50).
        let expected: [UInt8] = [200, 100, 50]
        for c in 0..<3 {
            for v in image(0)[c * 16..<(c + 1) * 16] {
                XCTAssertLessThanOrEqual(abs(Int(v) - Int(expected[c])), 3, "JPEG channel \(c)")
            }
        }
        // a.png: 8x8 of (10, 20, 30) halved: exactly the colour.
        XCTAssertEqual(image(1), [UInt8](repeating: 10, count: 16) + [UInt8](repeating: 20, count: 16) + [UInt8](repeating: 30, count: 16))
        // b.PNG: identity, as planes.
        let planes = (0..<3).flatMap { c in (0..<16).map { gradient[$0 * 3 + c] } }
        XCTAssertEqual(image(2), planes)
        // Grey 4x6: no resize, crop rows 1...4 (round(2 / 2) = 1), replicated.
        let rows = (4..<20).map { UInt8($0 * 10) }
        XCTAssertEqual(image(3), rows + rows + rows)
    }

    func testGreyConversion() throws {
        let root = try makeFolder()
        let data = try Dataset.imageFolder(root: root, size: 4, channels: 1)
        XCTAssertEqual(data.imageShape, [1, 4, 4])
        XCTAssertEqual(Array(data.pixels[16..<32]), [UInt8](repeating: 18, count: 16),
                       "0.299·10 + 0.587·20 + 0.114·30 = 18.2")
        let grey = (0..<16).map { (i: Int) -> UInt8 in
            let r: Double = 0.299 * Double(gradient[3 * i])
            let g: Double = 0.587 * Double(gradient[3 * i + 1])
            let b: Double = 0.114 * Double(gradient[3 * i + 2])
            return UInt8((r + g + b).rounded())
        }
        XCTAssertEqual(Array(data.pixels[32..<48]), grey)
        XCTAssertEqual(Array(data.pixels[48..<64]), (4..<20).map { UInt8($0 * 10) })
    }

    func testResizeTakesTheShorterSideAndCropsTheCentre() throws {
        // 2x1 -> size 1: shorter side (height) 1, width int(1·2/1) = 2, crop left round(0.5) = 0.
        let image = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 100, 100, 100])
        XCTAssertEqual(ResizedCrop.resizedAndCentreCropped(image, resize: 1, size: 1, channels: 3), [0, 0, 0])
        // A 2x downscale of 0 100 0 100: PIL's triangle of support 2 puts output 0
        // at 1.0 with weights 0.75 0.75 0.25 on inputs 0...2: 75 / 1.75 = 42.9 -> 43;
        // output 1 at 3.0, weights 0.25 0.75 0.75 on inputs 1...3: 100 / 1.75 -> 57.
        let row = RGBImage(width: 4, height: 2, pixels: [0, 0, 0, 100, 100, 100, 0, 0, 0, 100, 100, 100] + [UInt8](repeating: 0, count: 12))
        let planes = ResizedCrop.resize(ResizedCrop.planes(of: row, box: .init(top: 0, left: 0, height: 2, width: 4)), channels: 3,
                                        width: 4, height: 2, toWidth: 2, height: 2)
        XCTAssertEqual([planes[0], planes[1], planes[4], planes[5], planes[8], planes[9]], [43, 57, 43, 57, 43, 57])
    }

    func testErrorsNameThePath() throws {
        let root = try makeFolder()
        XCTAssertEqual(errorText { try Dataset.imageFolder(root: root + "/nothing", size: 4) },
                       "\(root)/nothing: not found; pass root: a folder with one sub-folder of images per class")
        try write([1, 2, 3, 4, 5, 6, 7, 8, 9], to: "\(root)/zebra/h.png")
        XCTAssertEqual(errorText { try Dataset.imageFolder(root: root, size: 4) },
                       "\(root)/zebra/h.png: cannot decode PNG: Not a PNG file")
        // A JPEG cut short after its start marker: libjpeg's error, not an exit.
        try FileManager.default.removeItem(atPath: "\(root)/zebra/h.png")
        try write([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A], to: "\(root)/zebra/i.jpg")
        XCTAssertEqual(errorText { try Dataset.imageFolder(root: root, size: 4) },
                       "\(root)/zebra/i.jpg: cannot decode JPEG: JPEG datastream contains no image")
        try FileManager.default.removeItem(atPath: "\(root)/zebra/i.jpg")
        try FileManager.default.createDirectory(atPath: "\(root)/empty", withIntermediateDirectories: false)
        XCTAssertEqual(errorText { try Dataset.imageFolder(root: root, size: 4) },
                       "\(root)/empty: no images in the class folder (.png, .jpg or .jpeg files)")
        let bare = try temporaryFolder()
        XCTAssertEqual(errorText { try Dataset.imageFolder(root: bare, size: 4) },
                       "\(bare): no class folders (one sub-folder of images per class)")
    }
}
