import XCTest
import GirdTensor
@testable import GirdData

final class DatasetTests: XCTestCase {
    /// 20 one-pixel images whose pixel is their index; classes of sizes 10, 6, 4 (labels 0 0 ... 1 ... 2).
    func unevenSet() throws -> Dataset {
        let labels: [Int64] = [0, 1, 0, 2, 0, 1, 0, 0, 2, 1, 0, 1, 0, 2, 0, 1, 0, 1, 2, 0]
        return try Dataset(name: "uneven", classes: ["a", "b", "c"], imageShape: [1, 1, 1],
                           pixels: (0..<20).map(UInt8.init), labels: labels)
    }

    func testStratifiedSharesAndRemainders() throws {
        let set = try unevenSet()
        XCTAssertEqual(set.classCounts, [10, 6, 4])
        // 10 of 20: exactly half of each class.
        XCTAssertEqual(try set.subset(10, seed: 1).classCounts, [5, 3, 2])
        // 7 of 20: floors 3, 2, 1 (remainders 10, 2, 8 of 20): the one left goes to class a.
        XCTAssertEqual(try set.subset(7, seed: 1).classCounts, [4, 2, 1])
        // 3 of 20: floors 1, 0, 0 (remainders 10, 18, 12): both left go to b, then c.
        XCTAssertEqual(try set.subset(3, seed: 1).classCounts, [1, 1, 1])
        XCTAssertEqual(try set.subset(20, seed: 1).pixels, Array(0..<20))
        XCTAssertEqual(try set.subset(0, seed: 1).count, 0)
    }

    func testSubsetsAreDeterministicAndDifferBySeed() throws {
        let set = try unevenSet()
        for stratified in [true, false] {
            let a = try set.subset(8, seed: 42, stratified: stratified)
            let b = try set.subset(8, seed: 42, stratified: stratified)
            let c = try set.subset(8, seed: 43, stratified: stratified)
            XCTAssertEqual(a.pixels, b.pixels)
            XCTAssertEqual(a.labels, b.labels)
            XCTAssertNotEqual(a.pixels, c.pixels)
            XCTAssertEqual(a.pixels, a.pixels.sorted(), "kept in the dataset's order")
            // Each image keeps its own label.
            XCTAssertEqual(a.labels, a.pixels.map { set.labels[Int($0)] })
        }
        // Not stratified: the first 8 of RandomGenerator(seed: 42).permutation(20), sorted.
        let expected = RandomGenerator(seed: 42).permutation(20).prefix(8).sorted().map(UInt8.init)
        XCTAssertEqual(try set.subset(8, seed: 42, stratified: false).pixels, expected)
    }

    func testBatchValuesAndBadRequests() throws {
        let set = try unevenSet()
        let (images, labels) = try set.batch(indices: [3, 17, 3])
        XCTAssertEqual(images.shape, [3, 1, 1, 1])
        XCTAssertEqual(images.toArray(), [3 / 255, 17 / 255, 3 / 255])
        XCTAssertEqual(labels.toIndices(), [2, 1, 2])
        XCTAssertEqual(errorText { try set.batch(indices: [0, 20]) }, "uneven: index 20 is out of range for 20 images")
        XCTAssertEqual(errorText { try set.subset(21, seed: 0) }, "uneven: cannot take a subset of 21 images from 20")
        XCTAssertEqual(errorText { try Dataset(name: "x", classes: ["a"], imageShape: [1, 1, 1], pixels: [0, 0], labels: [0, 1]) },
                       "x: label 1 of image 1 is out of range for 1 classes")
        XCTAssertEqual(errorText { try Dataset(name: "x", classes: ["a"], imageShape: [1, 2, 2], pixels: [0, 0], labels: [0]) },
                       "x: 2 pixel bytes do not make 1 images of [1, 2, 2]")
    }
}
