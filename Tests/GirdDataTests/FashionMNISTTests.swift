import XCTest
import GirdTensor
@testable import GirdData

/// Against the Debian `dataset-fashion-mnist` files; expected values computed
/// independently with Python's gzip module from the same files.
final class FashionMNISTTests: XCTestCase {
    static let train = Result { try Dataset.fashionMNIST(split: .train) }

    func trainingSet() throws -> Dataset {
        // scripts/setup installs dataset-fashion-mnist: without it the
        // load fails with the error that says so, and the test with it.
        return try Self.train.get()
    }

    func testCountsLabelsAndPixelChecksum() throws {
        let train = try trainingSet()
        XCTAssertEqual(train.count, 60000)
        XCTAssertEqual(train.imageShape, [1, 32, 32])
        XCTAssertEqual(Array(train.labels.prefix(10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        XCTAssertEqual(train.classCounts, [Int](repeating: 6000, count: 10))
        // Python: sum of the first 300 training images' bytes, 17481620; padding adds zeros only.
        XCTAssertEqual(train.pixels[0..<300 * 1024].reduce(0) { $0 + Int($1) }, 17_481_620)
        XCTAssertEqual(train.labels[0..<300].reduce(0, +), 1302)
        // Row 14 of image 0 is row 16 of the padded image, from column 2.
        XCTAssertEqual(Array(train.pixels[16 * 32 + 2..<16 * 32 + 30]),
                       [0, 0, 1, 4, 6, 7, 2, 0, 0, 0, 0, 0, 237, 226, 217, 223, 222, 219, 222, 221, 216, 223, 229, 215, 218, 255, 77, 0])
        let test = try Dataset.fashionMNIST(split: .test)
        XCTAssertEqual(test.count, 10000)
        XCTAssertEqual(Array(test.labels.prefix(5)), [9, 2, 1, 1, 6])
        XCTAssertEqual(test.pixels[0..<300 * 1024].reduce(0) { $0 + Int($1) }, 17_441_706)
    }

    /// The constants of `Normalization.fashionMNIST` (Python over the 28x28 bytes: mean 0.28604, std 0.35302).
    func testNormalizationConstantsMatchTheTrainingSet() throws {
        let train = try trainingSet()
        var sum = 0, sumOfSquares = 0
        for byte in train.pixels { sum += Int(byte); sumOfSquares += Int(byte) * Int(byte) }
        let n = Double(train.count * 28 * 28)  // the padding's zeros add nothing to either sum
        let mean = Double(sum) / n / 255, std = (Double(sumOfSquares) / n / 255 / 255 - mean * mean).squareRoot()
        XCTAssertEqual(mean, 0.2860406, accuracy: 1e-6)
        XCTAssertEqual(std, 0.3530242, accuracy: 1e-6)
        XCTAssertEqual(Double(Normalization.fashionMNIST.mean[0]), mean, accuracy: 5e-5)
        XCTAssertEqual(Double(Normalization.fashionMNIST.std[0]), std, accuracy: 5e-5)
    }

    func testStratifiedSubsetOfTheTrainingSet() throws {
        let train = try trainingSet()
        let subset = try train.subset(500, seed: 7, stratified: true)
        XCTAssertEqual(subset.classCounts, [Int](repeating: 50, count: 10))
        let (images, labels) = try subset.batch(indices: Array(0..<subset.count))
        XCTAssertEqual(images.shape, [500, 1, 32, 32])
        XCTAssertEqual(labels.toIndices(), subset.labels)
    }
}
