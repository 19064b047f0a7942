import XCTest
import GirdTensor
@testable import GirdData

final class CIFARTests: XCTestCase {
    /// A record whose pixels are all `fill` except the first of each colour plane, which is 10, 20, 30.
    func record(labels: [UInt8], fill: UInt8) -> [UInt8] {
        var pixels = [UInt8](repeating: fill, count: 3072)
        pixels[0] = 10; pixels[1024] = 20; pixels[2048] = 30
        return labels + pixels
    }

    func testCIFAR10ReadsTheFiveBatchesInOrder() throws {
        let folder = try temporaryFolder()
        for batch in 1...5 {
            try write(record(labels: [UInt8(batch)], fill: UInt8(batch)) + record(labels: [9], fill: 100),
                      to: "\(folder)/data_batch_\(batch).bin")
        }
        try write(record(labels: [3], fill: 7), to: "\(folder)/test_batch.bin")
        let train = try Dataset.cifar10(split: .train, root: folder)
        XCTAssertEqual(train.count, 10)
        XCTAssertEqual(train.labels, [1, 9, 2, 9, 3, 9, 4, 9, 5, 9])
        XCTAssertEqual(train.imageShape, [3, 32, 32])
        XCTAssertEqual(train.classes[9], "truck")
        let (images, labels) = try train.batch(indices: [2])
        XCTAssertEqual(labels.toIndices(), [2])
        let values = images.toArray()
        let expected: [Float] = [10, 2, 20, 30, 2].map { $0 / 255 }
        XCTAssertEqual([0, 1, 1024, 2048, 3071].map { values[$0] }, expected)
        let test = try Dataset.cifar10(split: .test, root: folder)
        XCTAssertEqual(test.labels, [3])
        XCTAssertEqual(test.name, "CIFAR-10 (test)")
    }

    func testCIFAR100FineByDefaultCoarseOnRequest() throws {
        let folder = try temporaryFolder()
        try write(record(labels: [19, 99], fill: 1) + record(labels: [4, 0], fill: 2), to: "\(folder)/train.bin")
        let fine = try Dataset.cifar100(split: .train, root: folder)
        XCTAssertEqual(fine.labels, [99, 0])
        XCTAssertEqual(fine.classes.count, 100)
        XCTAssertEqual(fine.classes[99], "worm")
        let coarse = try Dataset.cifar100(split: .train, root: folder, labels: .coarse)
        XCTAssertEqual(coarse.labels, [19, 4])
        XCTAssertEqual(coarse.classes.count, 20)
        XCTAssertEqual(coarse.classes[19], "vehicles_2")
        XCTAssertEqual(coarse.pixels, fine.pixels)
        XCTAssertEqual(coarse.pixels[3072 + 1], 2)
    }

    func testFileCutShort() throws {
        let folder = try temporaryFolder()
        try write(record(labels: [1], fill: 0) + [1, 2, 3, 4, 5], to: "\(folder)/test_batch.bin")
        XCTAssertEqual(errorText { try Dataset.cifar10(split: .test, root: folder) },
                       "\(folder)/test_batch.bin: offset 3073: record 1 is cut short: 5 of its 3073 bytes (the file has 3078 bytes, not a multiple of 3073)")
    }

    func testLabelOutOfRange() throws {
        let folder = try temporaryFolder()
        try write(record(labels: [1], fill: 0) + record(labels: [10], fill: 0), to: "\(folder)/test_batch.bin")
        XCTAssertEqual(errorText { try Dataset.cifar10(split: .test, root: folder) },
                       "\(folder)/test_batch.bin: offset 3073: record 1: label 10 is out of range for 10 classes (0...9)")
        try write(record(labels: [20, 5], fill: 0), to: "\(folder)/test.bin")
        XCTAssertEqual(errorText { try Dataset.cifar100(split: .test, root: folder, labels: .coarse) },
                       "\(folder)/test.bin: offset 0: record 0: label 20 is out of range for 20 classes (0...19)")
    }

    func testMissingFiles() throws {
        let folder = try temporaryFolder()
        XCTAssertEqual(errorText { try Dataset.cifar10(split: .train, root: folder) },
                       "\(folder)/data_batch_1.bin: not found; download cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) and pass root: its cifar-10-batches-bin folder")
        XCTAssertEqual(errorText { try Dataset.cifar100(split: .test, root: folder) },
                       "\(folder)/test.bin: not found; download cifar-100-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) and pass root: its cifar-100-binary folder")
    }
}
