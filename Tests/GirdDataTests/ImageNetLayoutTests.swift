import Foundation
import GirdTestImages
import XCTest
import GirdTensor
@testable import GirdData

/// The two ImageNet layouts, read from tiny generated folders: ILSVRC-2012
/// as torchvision's ImageFolder reads it, and Tiny ImageNet as distributed.
final class ImageNetLayoutTests: XCTestCase {
    func makeImageNet() throws -> String { try TestImageFolders.imageNet(in: try temporaryFolder()) }

    func testImageNetLayout() throws {
        let root = try makeImageNet()
        let train = try Dataset.imagenet(root: root, split: "train", size: 32)
        XCTAssertEqual(train.classes, ["n01", "n02", "n03"])
        XCTAssertEqual(train.labels, [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
        XCTAssertEqual(train.imageShape, [3, 32, 32])
        XCTAssertEqual(train.files?.resize, 37, "size / 0.875 (256 for 224)")
        XCTAssertEqual(train.files?.paths.last, "\(root)/train/n03/more/n03_9.JPEG", "sub-folders after the folder's own files, as os.walk")
        XCTAssertEqual(train.normalization, .imageNet)
        XCTAssertEqual(try Dataset.imagenet(root: root, split: "train", size: 224).files?.resize, 256)
        let val = try Dataset.imagenet(root: root, split: "val", size: 32, resize: 32)
        XCTAssertEqual(val.count, 3)
        XCTAssertEqual(val.labels, [0, 1, 2])
        // Evaluation: every image decoded and centre-cropped, as a batch.
        let batch = try val.batch(indices: [2, 0], normalized: false, threads: 2)
        XCTAssertEqual(batch.images.shape, [2, 3, 32, 32])
        XCTAssertEqual(batch.labels.toIndices(), [2, 0])
        let first = try val.image(2).map { Float($0) / 255 }
        XCTAssertEqual(Array(batch.images.toArray().prefix(first.count)), first)
        // A subset keeps its files and labels.
        let subset = try train.subset(3, seed: 1)
        XCTAssertEqual(subset.count, 3)
        XCTAssertEqual(subset.files?.paths.count, 3)
        XCTAssertNotEqual(train.fingerprint, subset.fingerprint)
    }

    func testImageNetErrorsNameThePath() throws {
        let root = try makeImageNet()
        XCTAssertEqual(errorText { try Dataset.imagenet(root: root + "/nowhere", split: "train") },
                       "\(root)/nowhere: not found; pass the folder that holds train/ and val/ (ILSVRC-2012 as torchvision's ImageFolder reads it)")
        try FileManager.default.removeItem(atPath: root + "/val")
        XCTAssertEqual(errorText { try Dataset.imagenet(root: root, split: "val") },
                       "\(root)/val: not found; ImageNet's val images go in \(root)/val/<wnid>/*.JPEG (for val, sorted into class folders)")
        XCTAssertEqual(errorText { try Dataset.imagenet(root: root, split: "test") },
                       "imagenet: split must be \"train\" or \"val\", got \"test\"")
        try FileManager.default.createDirectory(atPath: root + "/train/n04", withIntermediateDirectories: true)
        XCTAssertEqual(errorText { try Dataset.imagenet(root: root, split: "train") },
                       "\(root)/train/n04: no images in the class folder (.JPEG, .jpg or .png files)")
        try FileManager.default.removeItem(atPath: root + "/train/n04")
        // A file that is not a JPEG is named when its batch is loaded.
        try Data("not a jpeg".utf8).write(to: URL(fileURLWithPath: root + "/train/n02/n02_1.JPEG"))
        let train = try Dataset.imagenet(root: root, split: "train", size: 32)
        let loader = try DataLoader(train, batchSize: 10, shuffle: false, threads: 3)
        XCTAssertEqual(errorText { try loader.startEpoch(0).next() as Any },
                       "\(root)/train/n02/n02_1.JPEG: cannot decode JPEG: Not a JPEG file: starts with 0x6e 0x6f")
    }

    /// Batches are functions of the seed, epoch and position: the number of
    /// loader threads and where an epoch resumes change nothing.
    func testLoaderThreadsAndResumingDoNotChangeBatches() throws {
        let train = try Dataset.imagenet(root: try makeImageNet(), split: "train", size: 24)
        let augmentation: [Augmentation] = [.randomResizedCrop(size: 24), .horizontalFlip(probability: 0.5)]
        func batches(threads: Int, from batch: Int = 0) throws -> [[Float]] {
            let loader = try DataLoader(train, batchSize: 4, seed: 3, augmentation: augmentation, threads: threads)
            let epoch = loader.startEpoch(1, atBatch: batch)
            var result: [[Float]] = []
            while let (images, _) = try epoch.next() { result.append(images.toArray()) }
            return result
        }
        let one = try batches(threads: 1)
        XCTAssertEqual(one.count, 3)
        XCTAssertEqual(try batches(threads: 4), one)
        XCTAssertEqual(try batches(threads: 2, from: 1), Array(one.dropFirst()))
        // Random-resized crops of one image differ from epoch to epoch.
        let loader = try DataLoader(train, batchSize: 10, shuffle: false, seed: 3, augmentation: augmentation)
        XCTAssertNotEqual(try loader.startEpoch(0).next()?.images.toArray(), try loader.startEpoch(1).next()?.images.toArray())
    }

    /// DCT-scaled decoding of a large photo for a small output stays within
    /// two grey levels on average of decoding it whole (torchvision's way),
    /// for the evaluation resize and for random-resized crops, and is used
    /// only where it keeps at least the output's pixels.
    func testScaledDecodingIsCloseToTheFullDecode() throws {
        let folder = try temporaryFolder()
        try TestImageFolders.writeJPEG("\(folder)/big.JPEG", width: 640, height: 480, seed: 7)
        let scaled = FileImages(root: folder, paths: ["\(folder)/big.JPEG"], size: 48, resize: 55)
        let whole = FileImages(root: folder, paths: ["\(folder)/big.JPEG"], size: 48, resize: 55, scaledDecoding: false)
        let a = try scaled.load(0).pixels, b = try whole.load(0).pixels
        let mean = zip(a, b).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(a.count)
        print("scaled decoding (1/8 of 640x480 for 55): mean |difference| \(mean) grey levels")
        XCTAssertLessThan(mean, 2)
        XCTAssertNotEqual(a, b, "1/8 keeps 60 rows, more than 55: it was used")
        // A random-resized crop takes the fewest eighths that keep its box at the output's size.
        let crops = FileImages(root: folder, paths: ["\(folder)/big.JPEG"], size: 48, resize: 55)
        let wholeCrops = FileImages(root: folder, paths: ["\(folder)/big.JPEG"], size: 48, resize: 55, scaledDecoding: false)
        for position in 0..<4 {
            let transforms: [Augmentation] = [.randomResizedCrop(size: 48)]
            let x = try crops.load(0, transforms: transforms, seed: 1, position: position).pixels
            let y = try wholeCrops.load(0, transforms: transforms, seed: 1, position: position).pixels
            let difference = zip(x, y).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(x.count)
            // The scaled box keeps its fractional edges (a resize over exactly
            // that span): about a grey level from the full decode's crop.
            XCTAssertLessThan(difference, 2, "crop \(position)")
        }
    }

    func makeTinyImageNet() throws -> String { try TestImageFolders.tinyImageNet(in: try temporaryFolder()) }

    func testTinyImageNetLayout() throws {
        let root = try makeTinyImageNet()
        let train = try Dataset.tinyImageNet(root: root, split: "train", threads: 2)
        XCTAssertEqual(train.classes, ["n01", "n02", "n03"])
        XCTAssertEqual(train.labels, [0, 0, 1, 1, 2, 2])
        XCTAssertNil(train.files, "held in memory")
        XCTAssertEqual(train.imageShape, [3, 64, 64])
        XCTAssertEqual(train.normalization, .imageNet)
        let decoded = try ImageDecoding.decode(path: "\(root)/train/n02/images/n02_1.JPEG")
        XCTAssertEqual(try train.image(3), ResizedCrop.planes(of: decoded, box: .init(top: 0, left: 0, height: 64, width: 64)))
        let val = try Dataset.tinyImageNet(root: root, split: "val")
        XCTAssertEqual(val.labels, [1, 2, 0, 1])
        XCTAssertEqual(try Dataset.tinyImageNet(root: root, split: "val", size: 32).imageShape, [3, 32, 32])
    }

    func testTinyImageNetErrorsNameTheFile() throws {
        let root = try makeTinyImageNet()
        let annotations = root + "/val/val_annotations.txt"
        let original = try String(contentsOfFile: annotations, encoding: .utf8)
        try (original + "val_9.JPEG\tn09\t0\t0\t1\t1\n").write(toFile: annotations, atomically: true, encoding: .utf8)
        XCTAssertEqual(errorText { try Dataset.tinyImageNet(root: root, split: "val") },
                       "\(annotations), line 5: class n09 of val_9.JPEG is not in wnids.txt")
        try (original + "val_9.JPEG\n").write(toFile: annotations, atomically: true, encoding: .utf8)
        XCTAssertEqual(errorText { try Dataset.tinyImageNet(root: root, split: "val") },
                       "\(annotations), line 5: expected \"FILE<TAB>WNID<TAB>x<TAB>y<TAB>w<TAB>h\", got \"val_9.JPEG\"")
        try (original + "val_9.JPEG\tn01\t0\t0\t1\t1\n").write(toFile: annotations, atomically: true, encoding: .utf8)
        XCTAssertEqual(errorText { try Dataset.tinyImageNet(root: root, split: "val") },
                       "\(root)/val/images/val_9.JPEG: not found; val_annotations.txt lists it")
        try String(original.split(separator: "\n").dropLast().joined(separator: "\n")).write(toFile: annotations, atomically: true, encoding: .utf8)
        XCTAssertEqual(errorText { try Dataset.tinyImageNet(root: root, split: "val") },
                       "\(root)/val/images/val_3.JPEG: has no line in val_annotations.txt")
        try Data("broken".utf8).write(to: URL(fileURLWithPath: root + "/train/n01/images/n01_1.JPEG"))
        XCTAssertEqual(errorText { try Dataset.tinyImageNet(root: root, split: "train") },
                       "\(root)/train/n01/images/n01_1.JPEG: cannot decode JPEG: Not a JPEG file: starts with 0x62 0x72")
        try FileManager.default.removeItem(atPath: root + "/train/n02")
        XCTAssertEqual(errorText { try Dataset.tinyImageNet(root: root, split: "train") },
                       "\(root)/train/n02/images: not found; wnids.txt lists n02; its training images go in \(root)/train/n02/images")
        try FileManager.default.removeItem(atPath: root + "/wnids.txt")
        XCTAssertEqual(errorText { try Dataset.tinyImageNet(root: root, split: "train") },
                       "\(root)/wnids.txt: not found; Tiny ImageNet lists its 200 classes in wnids.txt at the top of the archive")
    }
}
