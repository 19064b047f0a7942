import Foundation
import XCTest
import GirdCrossCheck
@testable import GirdData
import GirdNN
import GirdTensor
@testable import GirdTrain

final class TensorBoardFormatTests: XCTestCase {
    /// The check values of RFC 3720 (iSCSI), appendix B.4, and the usual "123456789".
    func testCRC32CMatchesThePublishedCheckValues() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    /// Field numbers and wire types as TensorFlow's schema: a reader that
    /// is not ours decodes these exact bytes.
    func testAnEventEncodesToTensorFlowsWireFormat() {
        let event = SummaryEvent(wallTime: 1.5, step: 3, values: [.scalar(tag: "a", value: 2)])
        XCTAssertEqual(event.encoded(), [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F,  // 1: wall_time, double
                                         0x10, 0x03,                          // 2: step, varint
                                         0x2A, 0x0A,                          // 5: summary, 10 bytes
                                         0x0A, 0x08,                          //   1: value, 8 bytes
                                         0x0A, 0x01, 0x61,                    //     1: tag "a"
                                         0x15, 0, 0, 0, 0x40])                //     2: simple_value 2.0f
        XCTAssertEqual(SummaryEvent(decoding: event.encoded()), event)
        let version = SummaryEvent(wallTime: 0, step: 0, fileVersion: "brain.Event:2")
        XCTAssertEqual(version.encoded(), [0x1A, 0x0D] + Array("brain.Event:2".utf8))
    }

    func testImagesRoundTrip() {
        let event = SummaryEvent(wallTime: 2, step: 7, values: [
            .image(tag: "relations", png: [0x89, 0x50, 0x4E, 0x47], height: 2, width: 3, channels: 1),
            .scalar(tag: "x", value: -0.25)])
        XCTAssertEqual(SummaryEvent(decoding: event.encoded()), event)
    }

    /// -1 black, 1 white, linear between, clamped outside, each cell 2 x 2
    /// pixels; read back by libpng's decoder (as image_folder reads PNGs).
    func testAGreyPNGDecodesToItsLevels() throws {
        let png = try GrayscalePNG.encode([-1, 0, 1, 3, -0.5, .nan], rows: 2, columns: 3, low: -1, high: 1, scale: 2)
        let image = try ImageDecoding.decodePNG(png)
        XCTAssertEqual([image.width, image.height], [6, 4])
        let grey = stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] }
        XCTAssertEqual(grey, [0, 0, 128, 128, 255, 255,
                              0, 0, 128, 128, 255, 255,
                              255, 255, 64, 64, 0, 0,
                              255, 255, 64, 64, 0, 0])
    }

    func testAnImageThatDoesNotFitItsSizeIsAnError() {
        XCTAssertThrowsError(try GrayscalePNG.encode([1, 2, 3], rows: 2, columns: 2, low: 0, high: 1)) {
            XCTAssertEqual("\($0)", "a TensorBoard image: 3 values for 2 x 2 cells, scale 1, range 0.0...1.0")
        }
    }

    func testFramesAreCheckedAndABadOneIsNamedByOffset() throws {
        let first = [UInt8](repeating: 7, count: 5), second = Array("event".utf8)
        var bytes = TFRecord.frame(first) + TFRecord.frame(second)
        XCTAssertEqual(bytes.count, 2 * 16 + 10)
        XCTAssertEqual(try TFRecord.records(in: bytes, path: "f"), [first, second])
        bytes[21 + 12] ^= 1  // the second record's first data byte
        XCTAssertThrowsError(try TFRecord.records(in: bytes, path: "f")) {
            XCTAssertEqual("\($0)", "f: at byte 21: the data's checksum does not match")
        }
        XCTAssertThrowsError(try TFRecord.records(in: Array(TFRecord.frame(first).dropLast(2)), path: "g")) {
            XCTAssertEqual("\($0)", "g: at byte 0: a record of 5 bytes runs past the end of the file")
        }
        var header = TFRecord.frame(first)
        header[0] = 200
        XCTAssertThrowsError(try TFRecord.records(in: header, path: "h")) {
            XCTAssertEqual("\($0)", "h: at byte 0: the length's checksum does not match")
        }
    }

    func testAWriterStartsWithTheVersionAndAddsAFileWhenReopened() throws {
        let directory = temporaryDirectory("events")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try EventFileWriter(directory: directory, wallTime: 1_700_000_000)
        try writer.write(step: 5, values: [.scalar(tag: "loss/total", value: 0.5)], wallTime: 1_700_000_001)
        let second = try EventFileWriter(directory: directory, wallTime: 1_700_000_000)
        XCTAssertNotEqual(writer.path, second.path)
        XCTAssertEqual(EventFileWriter.files(in: directory), [writer.path, second.path])
        XCTAssertTrue(writer.path.hasPrefix(directory + "/events.out.tfevents.1700000000."), writer.path)
        let events = try EventFileWriter.read(writer.path)
        XCTAssertEqual(events, [SummaryEvent(wallTime: 1_700_000_000, step: 0, fileVersion: "brain.Event:2"),
                                SummaryEvent(wallTime: 1_700_000_001, step: 5, values: [.scalar(tag: "loss/total", value: 0.5)])])
    }
}

final class TrainingEventsTests: XCTestCase {
    /// 40 images in batches of 16 (16, 16, 8: 3 steps an epoch), 2 epochs,
    /// a point every 2 steps: at steps 2, 4, 6, each the mean of its steps.
    func trainedRun(every: Int = 2) throws -> (run: TrainingRun, configuration: TrainingConfiguration) {
        let train = try halvesDataset(count: 40, seed: 1), test = try halvesDataset(count: 16, seed: 2)
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory("tensorboard"))
        configuration.batchSize = 16
        configuration.progress = .silent
        configuration.tensorBoard = TensorBoardSettings(every: every)
        let run = try Trainer(configuration: configuration, objective: CrossEntropyObjective()).train(
            model: try ModelZoo.make("resnet8", classes: 2, inChannels: 1), trainSet: train, testSet: test, valSet: test)
        return (run, configuration)
    }

    func scalars(in directory: String) throws -> [String: [(step: Int, value: Float)]] {
        var scalars: [String: [(step: Int, value: Float)]] = [:]
        for file in EventFileWriter.files(in: directory) {
            for event in try EventFileWriter.read(file) {
                for case .scalar(let tag, let value) in event.values { scalars[tag, default: []].append((event.step, value)) }
            }
        }
        return scalars
    }

    func testTheEpochFiguresAreTheMetricsFiles() throws {
        let (run, _) = try trainedRun()
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        let scalars = try scalars(in: run.directory)
        for (tag, figure) in [("epoch/test_top1", \EpochRecord.testTop1), ("epoch/test_loss", \.testLoss),
                              ("epoch/loss/total", \.trainLoss), ("epoch/lr", \.learningRate)] {
            XCTAssertEqual(scalars[tag]?.map(\.step), [1, 2], tag)
            XCTAssertEqual(scalars[tag]?.map(\.value), run.history.map { Float($0[keyPath: figure]) }, tag)
        }
        XCTAssertEqual(scalars["epoch/val_top1"]?.map(\.value), run.history.map { Float($0.valTop1!) })
        XCTAssertEqual(scalars["epoch/train_top1"]?.map(\.value), run.history.map { Float($0.trainTop1!) })
        XCTAssertEqual(scalars["loss/total"]?.map(\.step), [2, 4, 6])
        XCTAssertEqual(scalars["train/top1"]?.count, 3)
        XCTAssertEqual(Set(scalars.keys).subtracting(scalars.keys.filter { $0.hasPrefix("epoch/") }),
                       ["loss/total", "train/top1", "train/top5", "lr", "images_per_second"])
    }

    func testNoEventsWithoutTensorBoardAndEpochsOnlyAtZero() throws {
        let (run, _) = try trainedRun(every: 0)
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        XCTAssertNil(try scalars(in: run.directory)["loss/total"])
        XCTAssertEqual(try scalars(in: run.directory)["epoch/loss/total"]?.count, 2)

        let train = try halvesDataset(count: 16, seed: 1)
        var configuration = TrainingConfiguration(epochs: 1, outputDirectory: temporaryDirectory("no-tensorboard"))
        configuration.progress = .silent
        configuration.tensorBoard = nil
        let quiet = try Trainer(configuration: configuration).train(
            model: try ModelZoo.make("resnet8", classes: 2, inChannels: 1), trainSet: train, testSet: train)
        defer { try? FileManager.default.removeItem(atPath: quiet.directory) }
        XCTAssertEqual(EventFileWriter.files(in: quiet.directory), [])
    }

    /// One step over the whole set at rate 0: the training top-1 is the
    /// training-mode forward's on those images, counted independently.
    func testTrainingTop1IsTheTrainingModeForwardsAccuracy() throws {
        let train = try halvesDataset(count: 24, seed: 3)
        var configuration = TrainingConfiguration(epochs: 1, outputDirectory: temporaryDirectory("train-top1"))
        configuration.batchSize = 24
        configuration.learningRate = 0
        configuration.progress = .silent
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 4))
        let (images, labels) = try train.batch(indices: Array(0..<24), normalized: true)
        model.train()
        let logits = try GradMode.withoutGradient { try model(images) }.toArray()
        let expected = labels.toIndices().enumerated().filter { row, label in
            logits[row * 2 + Int(label)] > logits[row * 2 + 1 - Int(label)]
        }.count
        let run = try Trainer(configuration: configuration, objective: CrossEntropyObjective()).train(
            model: model, trainSet: train, testSet: train)
        XCTAssertEqual(run.history[0].trainTop1, Double(expected) / 24)
        XCTAssertEqual(run.history[0].trainTop5, 1)
    }

    /// An objective's epoch images reach the file as PNGs TensorBoard reads
    /// (at 4 x 4 pixels a cell), once per epoch.
    func testEpochImagesAreWrittenAndReadByTensorBoard() throws {
        final class PictureObjective: TrainingObjective {
            func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
                try Tensor.crossEntropy(model(batch.images), labels: batch.labels)
            }
            func epochImages(model: Network, images: Tensor) throws -> [EpochImage] {
                [EpochImage(tag: "relations/test", values: (0..<(images.shape[0] * 3)).map { Float($0 % 3) - 1 },
                            rows: images.shape[0], columns: 3, low: -1, high: 1)]
            }
        }
        let train = try halvesDataset(count: 20, seed: 1)
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory("images"))
        configuration.batchSize = 10
        configuration.progress = .silent
        configuration.tensorBoard = TensorBoardSettings(every: 0, relationImages: true)
        let run = try Trainer(configuration: configuration, objective: PictureObjective()).train(
            model: try ModelZoo.make("resnet8", classes: 2, inChannels: 1), trainSet: train, testSet: train)
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        let output = try CrossCheckScript.run("tensorboard-scalars.py", arguments: [run.directory], needs: "tensorboard")
        let decoded = try XCTUnwrap(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let images = try XCTUnwrap(decoded["images"] as? [String: [[Int]]])
        XCTAssertEqual(images["relations/test"], [[1, 12, 80], [2, 12, 80]])  // step, width, height
    }

    /// TensorBoard's own reader (EventAccumulator, PyPI's tensorboard) reads
    /// back every scalar the engine wrote, exactly.
    func testTensorBoardsReaderReadsTheScalarsBack() throws {
        let (run, _) = try trainedRun()
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        let output = try CrossCheckScript.run("tensorboard-scalars.py", arguments: [run.directory], needs: "tensorboard")
        let decoded = try XCTUnwrap(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let theirs = try XCTUnwrap(decoded["scalars"] as? [String: [[Double]]])
        let ours = try scalars(in: run.directory)
        XCTAssertEqual(Set(theirs.keys), Set(ours.keys))
        for (tag, points) in ours {
            XCTAssertEqual(theirs[tag]?.map { Int($0[0]) }, points.map(\.step), tag)
            XCTAssertEqual(theirs[tag]?.map { Float($0[1]) }, points.map(\.value), tag)
        }
    }
}
