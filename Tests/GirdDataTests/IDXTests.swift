import XCTest
import GirdTensor
@testable import GirdData

final class IDXTests: XCTestCase {
    /// Three 2x3 images with pixels 0, 1, 2, ... and labels 2, 0, 9, as IDX files in `folder`.
    func writeSmallSet(in folder: String, gzip: Bool, labels: [UInt8] = [2, 0, 9]) throws {
        let suffix = gzip ? ".gz" : ""
        try write(bigEndian([0x803, 3, 2, 3]) + (0..<18).map(UInt8.init), to: "\(folder)/train-images-idx3-ubyte\(suffix)", gzip: gzip)
        try write(bigEndian([0x801, UInt32(labels.count)]) + labels, to: "\(folder)/train-labels-idx1-ubyte\(suffix)", gzip: gzip)
    }

    func testSmallFilesArePaddedToThirtyTwoPlusTwo() throws {
        for gzip in [false, true] {
            let folder = try temporaryFolder()
            try writeSmallSet(in: folder, gzip: gzip)
            let set = try Dataset.fashionMNIST(split: .train, root: folder)
            XCTAssertEqual(set.count, 3)
            XCTAssertEqual(set.name, "Fashion-MNIST (train)")
            XCTAssertEqual(set.imageShape, [1, 6, 7])
            XCTAssertEqual(set.labels, [2, 0, 9])
            // Image 1 holds 6...11; padded by 2, its rows 2 and 3 are [0,0,6,7,8,0,0] and [0,0,9,10,11,0,0].
            let image1 = Array(set.pixels[42..<84])
            XCTAssertEqual(Array(image1[14..<28]), [0, 0, 6, 7, 8, 0, 0, 0, 0, 9, 10, 11, 0, 0])
            XCTAssertEqual(image1.map(Int.init).reduce(0, +), 51)  // 6 + 7 + ... + 11
            let (images, labels) = try set.batch(indices: [1, 0])
            XCTAssertEqual(images.shape, [2, 1, 6, 7])
            XCTAssertEqual(images.toArray()[18], 8 / 255)  // row 2, column 4 of image 1
            XCTAssertEqual(labels.toIndices(), [0, 2])
        }
    }

    func testNormalizedBatch() throws {
        let folder = try temporaryFolder()
        try writeSmallSet(in: folder, gzip: false)
        let set = try Dataset.fashionMNIST(split: .train, root: folder)
        let values = try set.batch(indices: [1], normalized: true).images.toArray()
        XCTAssertEqual(values[0], -0.2860 / 0.3530, accuracy: 1e-6)
        XCTAssertEqual(values[18], (8 / 255 - 0.2860) / 0.3530, accuracy: 1e-6)
    }

    func testMissingDatasetSaysHowToGetIt() {
        XCTAssertEqual(errorText { try Dataset.fashionMNIST(split: .test, root: "/nonexistent") },
                       "/nonexistent/t10k-images-idx3-ubyte.gz: not found; install it with `apt-get install dataset-fashion-mnist`, or pass root: a folder holding the files")
    }

    func testWrongMagicNumber() throws {
        let folder = try temporaryFolder()
        try writeSmallSet(in: folder, gzip: true)
        try write(bigEndian([0x801, 3, 2, 3]) + [UInt8](repeating: 0, count: 18), to: "\(folder)/train-images-idx3-ubyte.gz", gzip: true)
        XCTAssertEqual(errorText { try Dataset.fashionMNIST(split: .train, root: folder) },
                       "\(folder)/train-images-idx3-ubyte.gz: offset 0 (decompressed): magic number 0x00000801 is not 0x00000803 (IDX images: unsigned bytes, 3 dimensions)")
    }

    func testSizeThatDoesNotMatchTheFile() throws {
        let folder = try temporaryFolder()
        try writeSmallSet(in: folder, gzip: false)
        try write(bigEndian([0x803, 3, 2, 3]) + [UInt8](repeating: 0, count: 17), to: "\(folder)/train-images-idx3-ubyte")
        XCTAssertEqual(errorText { try Dataset.fashionMNIST(split: .train, root: folder) },
                       "\(folder)/train-images-idx3-ubyte: offset 16: the header claims 3 images of 2x3 (18 bytes) but 17 bytes follow")
        try write(bigEndian([0x803, 3]), to: "\(folder)/train-images-idx3-ubyte")
        XCTAssertEqual(errorText { try Dataset.fashionMNIST(split: .train, root: folder) },
                       "\(folder)/train-images-idx3-ubyte: offset 8: size 2 of the header needs 4 bytes but only 0 remain (the file has 8)")
    }

    /// Found by fuzzing: images of no pixels, many of them, passed the size
    /// check and their padded copies asked for 4.4 GB.
    func testImagesWithoutPixelsAreRefused() throws {
        let folder = try temporaryFolder()
        try writeSmallSet(in: folder, gzip: false)
        try write(bigEndian([0x803, 2127, 0, 525_056]), to: "\(folder)/train-images-idx3-ubyte")
        XCTAssertEqual(errorText { try Dataset.fashionMNIST(split: .train, root: folder) },
                       "\(folder)/train-images-idx3-ubyte: offset 8: the header claims images of 0x525056 pixels; an image needs at least one")
    }

    func testLabelCountDisagreesWithImages() throws {
        let folder = try temporaryFolder()
        try writeSmallSet(in: folder, gzip: false, labels: [1, 2])
        XCTAssertEqual(errorText { try Dataset.fashionMNIST(split: .train, root: folder) },
                       "\(folder)/train-labels-idx1-ubyte: offset 4: 2 labels but \(folder)/train-images-idx3-ubyte holds 3 images")
    }

    func testLabelOutOfRange() throws {
        let folder = try temporaryFolder()
        try writeSmallSet(in: folder, gzip: false, labels: [1, 10, 2])
        XCTAssertEqual(errorText { try Dataset.fashionMNIST(split: .train, root: folder) },
                       "\(folder)/train-labels-idx1-ubyte: offset 9: label 10 of image 1 is out of range for 10 classes (0...9)")
    }

    func testTruncatedGzip() throws {
        let folder = try temporaryFolder()
        try writeSmallSet(in: folder, gzip: true)
        let path = "\(folder)/train-images-idx3-ubyte.gz"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(errorText { try Dataset.fashionMNIST(split: .train, root: folder) }
            .hasPrefix("\(path): offset "), "a truncated stream is reported, not served short")
    }
}
