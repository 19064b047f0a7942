import Foundation
import XCTest
import GirdTensor
@testable import GirdData

/// ImageNet's transforms against torchvision 0.14 and PIL on the same
/// files (`Fixtures/torchvision-transforms`, written by
/// scripts/make-transform-fixtures.py): the decode, `Resize(36)` +
/// `CenterCrop(32)`, and `F.resized_crop` of fixed boxes to 24x24, for an
/// RGB JPEG, an RGB PNG, a CMYK JPEG (Adobe, inverted ink) and a grey JPEG.
final class ImageNetTransformTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/torchvision-transforms").path
    static let images = ["rgb.jpg", "rgb.png", "cmyk.jpg", "grey.jpg"]

    func reference(_ name: String) throws -> [Int64] {
        try NumPyFile.load(contentsOf: "\(Self.folder)/\(name)").toIndices()
    }

    func stem(_ image: String) -> String { image.replacingOccurrences(of: ".", with: "-") }

    func largestDifference(_ ours: [UInt8], _ theirs: [Int64]) -> Int64 {
        XCTAssertEqual(ours.count, theirs.count)
        return zip(ours, theirs).map { abs(Int64($0) - $1) }.max() ?? .max
    }

    /// The same library (libjpeg-turbo, default IDCT and upsampling) under
    /// both, and PIL's CMYK conversion: the bytes agree exactly.
    func testDecodesAsPIL() throws {
        for image in Self.images {
            let decoded = try ImageDecoding.decode(path: "\(Self.folder)/\(image)")
            XCTAssertEqual(largestDifference(decoded.pixels, try reference(stem(image) + ".decoded.npy")), 0, image)
        }
    }

    /// Resize(36) + CenterCrop(32) within one grey level (PIL rounds its
    /// fixed-point sums the same way; the bytes are seen to agree exactly).
    func testEvaluationTransformIsTorchvisions() throws {
        for image in Self.images {
            let files = FileImages(root: Self.folder, paths: ["\(Self.folder)/\(image)"], size: 32, resize: 36, scaledDecoding: false)
            let ours = try files.load(0).pixels
            let difference = largestDifference(ours, try reference(stem(image) + ".eval.npy"))
            print("\(image): Resize + CenterCrop, largest difference from torchvision \(difference)")
            XCTAssertLessThanOrEqual(difference, 1, image)
        }
    }

    /// Re-ID's Resize((32, 32)) (`FileImages.Fit.stretch`), whatever the aspect.
    func testStretchIsTorchvisionsResizeToASquare() throws {
        for image in Self.images {
            let files = FileImages(root: Self.folder, paths: ["\(Self.folder)/\(image)"], size: 32, resize: 32,
                                   scaledDecoding: false, fit: .stretch)
            let difference = largestDifference(try files.load(0).pixels, try reference(stem(image) + ".stretch.npy"))
            XCTAssertLessThanOrEqual(difference, 1, image)
        }
    }

    func testResizedCropIsTorchvisions() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/boxes.json"))
        let boxes = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["boxes"] as? [String: [[Int]]])
        for image in Self.images {
            let decoded = try ImageDecoding.decode(path: "\(Self.folder)/\(image)")
            for (k, box) in try XCTUnwrap(boxes[stem(image)]).enumerated() {
                let crop = ResizedCrop.Box(top: box[0], left: box[1], height: box[2], width: box[3])
                let planes = ResizedCrop.planes(of: decoded, box: crop)
                let ours = ResizedCrop.resize(planes, channels: 3, width: crop.width, height: crop.height, toWidth: 24, height: 24)
                let difference = largestDifference(ours, try reference("\(stem(image)).crop\(k).npy"))
                XCTAssertLessThanOrEqual(difference, 1, "\(image) box \(box)")
            }
        }
    }

    /// The loader's fast paths give the bytes of the plain ones: the region
    /// decode (only the box's rows and iMCU columns) those of the full
    /// decode, and the transposed horizontal pass those of `resize`.
    func testFastPathsGiveTheSameBytes() throws {
        for image in ["rgb.jpg", "cmyk.jpg"] {
            let bytes = try DatasetFile.readPlain("\(Self.folder)/\(image)", hint: "").bytes
            let full = try ImageDecoding.decodeJPEG(bytes)
            for box in [ResizedCrop.Box(top: 3, left: 17, height: 30, width: 21), ResizedCrop.Box(top: 0, left: 0, height: 12, width: 40),
                        ResizedCrop.Box(top: full.height - 9, left: full.width - 9, height: 9, width: 9)] {
                let (region, first) = try ImageDecoding.decodeJPEGRegion(bytes, eighths: 8, scaledWidth: full.width, box: box)
                let shifted = ResizedCrop.Box(top: 0, left: box.left - first, height: box.height, width: box.width)
                XCTAssertEqual(ResizedCrop.planes(of: region, box: shifted), ResizedCrop.planes(of: full, box: box),
                               "\(image) \(box)")
                for size in [7, 24, 33] {
                    let plain = ResizedCrop.resize(ResizedCrop.planes(of: full, box: box), channels: 3, width: box.width,
                                                   height: box.height, toWidth: size, height: size)
                    XCTAssertEqual(ResizedCrop.resizedPlanes(of: full, box: box, toWidth: size, height: size), plain, "\(image) \(box) \(size)")
                }
            }
        }
    }

    /// `get_params`' rules: each box within the image, its area a fraction in
    /// `scale` and its aspect in `ratio` (up to the rounding of w and h), and
    /// torchvision's centred fallback when no try fits.
    func testRandomBoxesFollowTorchvisionsRules() {
        let generator = RandomGenerator(seed: 5)
        var areas: [Double] = []
        for _ in 0..<2000 {
            let box = ResizedCrop.randomBox(width: 500, height: 375, scale: 0.08...1, ratio: (3.0 / 4)...(4.0 / 3), generator: generator)
            XCTAssertTrue(box.top >= 0 && box.left >= 0 && box.top + box.height <= 375 && box.left + box.width <= 500)
            let fraction = Double(box.width * box.height) / (500 * 375)
            areas.append(fraction)
            XCTAssertGreaterThanOrEqual(fraction, 0.075)
            let aspect = Double(box.width) / Double(box.height)
            XCTAssertTrue(aspect > 0.74 && aspect < 1.35, "aspect \(aspect)")
        }
        // The distribution is torchvision's: its get_params on a 500x375
        // image gives a mean area fraction of 0.4348 ± 0.0015 (20 000 draws;
        // below (0.08 + 1) / 2 because large boxes of extreme ratio do not
        // fit and are tried again). 2000 draws here: ± 0.005 each.
        let mean = areas.reduce(0, +) / Double(areas.count)
        XCTAssertEqual(mean, 0.4348, accuracy: 0.02, "mean area fraction")
        // 100 x 10 with at least 90% of the area: no try fits; torchvision
        // keeps the full height, width round(10 · 4/3) = 13, centred.
        XCTAssertEqual(ResizedCrop.randomBox(width: 100, height: 10, scale: 0.9...1, ratio: (3.0 / 4)...(4.0 / 3), generator: generator),
                       ResizedCrop.Box(top: 0, left: 43, height: 10, width: 13))
        XCTAssertEqual(ResizedCrop.randomBox(width: 10, height: 100, scale: 0.9...1, ratio: (3.0 / 4)...(4.0 / 3), generator: generator),
                       ResizedCrop.Box(top: 43, left: 0, height: 13, width: 10))
    }

    /// torchvision's Resize(short) and CenterCrop arithmetic.
    func testResizeAndCentreCropSizes() {
        XCTAssertTrue(ResizedCrop.resizedSize(width: 500, height: 375, short: 256) == (341, 256))
        XCTAssertTrue(ResizedCrop.resizedSize(width: 375, height: 500, short: 256) == (256, 341))
        XCTAssertEqual(ResizedCrop.centerBox(width: 341, height: 256, size: 224), ResizedCrop.Box(top: 16, left: 58, height: 224, width: 224))
        // round((257 - 224) / 2) = round(16.5) = 16, ties to even as Python's round.
        XCTAssertEqual(ResizedCrop.centerBox(width: 257, height: 257, size: 224).top, 16)
    }
}
