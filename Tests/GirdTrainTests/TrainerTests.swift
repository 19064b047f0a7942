import Foundation
import XCTest
import GirdData
import GirdNN
import GirdTensor
@testable import GirdTrain

/// Two classes of 1x32x32 images: class 0 bright on the left half, class 1
/// on the right, with noise; a resnet8 learns it in a few epochs.
func halvesDataset(count: Int, seed: UInt64) throws -> Dataset {
    let generator = RandomGenerator(seed: seed)
    var pixels: [UInt8] = [], labels: [Int64] = []
    for index in 0..<count {
        let label = Int64(index % 2)
        for _ in 0..<32 {
            for column in 0..<32 {
                let bright = (column < 16) == (label == 0)
                pixels.append(UInt8((bright ? 160 : 40) + Int(generator.next() % 60)))
            }
        }
        labels.append(label)
    }
    return try Dataset(name: "halves", classes: ["left", "right"], imageShape: [1, 32, 32], pixels: pixels, labels: labels)
}

func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "gird-\(name)-\(UUID().uuidString)"
    return path
}

final class TrainerTests: XCTestCase {
    func testWithoutValidationNothingIsSelectedOnTheTestSet() throws {
        let train = try halvesDataset(count: 32, seed: 1), test = try halvesDataset(count: 16, seed: 2)
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory("noval"))
        configuration.batchSize = 16
        configuration.progress = .silent
        let run = try Trainer(configuration: configuration).train(
            model: try ModelZoo.make("resnet8", classes: 2, inChannels: 1), trainSet: train, testSet: test)
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        XCTAssertFalse(run.selectedOnValidation)
        XCTAssertEqual(run.bestEpoch, 1)
        XCTAssertEqual(run.bestTop1, run.finalTop1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.directory + "/best.safetensors"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.directory + "/last.safetensors"))
        XCTAssertNil(run.history[0].valTop1)
    }

    /// Issue 15: a rate of 1e6 diverges; the run used to crash encoding a NaN
    /// test loss and leave NaN weights as best and last. It must stop with the
    /// trainer's message, keep the last good checkpoint, and write nothing non-finite.
    func testADivergingRunStopsAndWritesNoNonFiniteWeights() throws {
        let train = try halvesDataset(count: 64, seed: 1), test = try halvesDataset(count: 32, seed: 2)
        var configuration = TrainingConfiguration(epochs: 3, outputDirectory: temporaryDirectory("diverge"))
        configuration.batchSize = 32
        configuration.learningRate = 1_000_000
        configuration.progress = .silent
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        XCTAssertThrowsError(try Trainer(configuration: configuration).train(model: model, trainSet: train, testSet: test,
                                                                             valSet: test)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("training stopped: the loss is not finite (NaN or infinite) "), message)
            XCTAssertTrue(error is TrainingError, message)
        }
        let directory = configuration.outputDirectory
        for file in ["best", "last", "checkpoint"] where FileManager.default.fileExists(atPath: directory + "/\(file).safetensors") {
            let tensors = try SafeTensors.load(contentsOf: directory + "/\(file).safetensors")
            for (name, tensor) in tensors where tensor.dtype == .float32 {
                XCTAssertEqual(tensor.nonFiniteCount(), 0, "\(file): \(name)")
            }
        }
        if let metrics = FileManager.default.contents(atPath: directory + "/metrics.jsonl") {
            for line in String(decoding: metrics, as: UTF8.self).split(separator: "\n") {
                XCTAssertNoThrow(try JSONDecoder().decode(EpochRecord.self, from: Data(line.utf8)))
            }
        }
    }

    /// A metric that is NaN is written as null and read back as NaN.
    func testNonFiniteMetricsAreWrittenAsNull() throws {
        let record = EpochRecord(epoch: 0, trainLoss: .nan, testTop1: 0.5, testTop5: 1, testLoss: .infinity,
                                 learningRate: 0.1, seconds: 1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(record), as: UTF8.self)
        XCTAssertEqual(json, #"{"epoch":0,"lr":0.1,"seconds":1,"test_loss":null,"test_top1":0.5,"test_top5":1,"train_loss":null}"#)
        let back = try JSONDecoder().decode(EpochRecord.self, from: Data(json.utf8))
        XCTAssertTrue(back.trainLoss.isNaN)
        XCTAssertTrue(back.testLoss.isNaN)
        XCTAssertEqual(back.testTop1, 0.5)
    }

    func testShortRunLearnsAndWritesMetrics() throws {
        let train = try halvesDataset(count: 64, seed: 1), test = try halvesDataset(count: 32, seed: 2)
        let val = try halvesDataset(count: 32, seed: 3)
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        let before = try Evaluation.evaluate(model, on: test, normalized: false)
        var configuration = TrainingConfiguration(epochs: 8, outputDirectory: temporaryDirectory("learn"))
        configuration.batchSize = 16
        configuration.learningRate = 0.05
        configuration.progress = .silent
        let run = try Trainer(configuration: configuration).train(model: model, trainSet: train, testSet: test, valSet: val)
        defer { try? FileManager.default.removeItem(atPath: run.directory) }

        XCTAssertEqual(run.history.count, 8)
        XCTAssertGreaterThanOrEqual(run.finalTop1, 0.9)
        XCTAssertGreaterThan(run.finalTop1, before.top1)
        // The validation set chooses the kept epoch (its first best), never the test set.
        let valTop1 = run.history.map { $0.valTop1 ?? -1 }
        let chosen = try XCTUnwrap(valTop1.firstIndex(of: try XCTUnwrap(valTop1.max())))
        XCTAssertTrue(run.selectedOnValidation)
        XCTAssertEqual(run.bestEpoch, chosen)
        XCTAssertEqual(run.bestTop1, run.history[chosen].testTop1)
        XCTAssertLessThan(run.history[7].trainLoss, run.history[0].trainLoss)
        XCTAssertEqual(run.history.map(\.learningRate), Array(repeating: 0.05, count: 8).map { Double(Float($0)) })
        for file in ["checkpoint", "last", "best"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.directory + "/\(file).safetensors"), file)
        }
        // last.safetensors holds the final weights under PyTorch's names.
        let last = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 9))
        try last.loadWeights(contentsOf: run.directory + "/last.safetensors")
        XCTAssertEqual(try Evaluation.evaluate(last, on: test).top1, run.finalTop1)

        let csv = try String(contentsOfFile: run.directory + "/metrics.csv", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(csv.first, "epoch,train_loss,test_top1,test_top5,test_loss,lr,seconds,val_top1,val_loss")
        XCTAssertEqual(csv.count, 10, "header, 8 rows, final newline")
        XCTAssertEqual(csv[1].split(separator: ",").first, "0")
        XCTAssertEqual(csv[3].split(separator: ",").count, 9)
        XCTAssertEqual(csv[8].split(separator: ",")[2], "\(run.finalTop1)")

        let lines = try String(contentsOfFile: run.directory + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 8)
        for (epoch, line) in lines.enumerated() {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(Set(object.keys), ["epoch", "train_loss", "test_top1", "test_top5", "test_loss", "lr", "seconds",
                                               "val_top1", "val_loss"])
            XCTAssertEqual(object["epoch"] as? Int, epoch)
            XCTAssertEqual(object["test_top1"] as? Double, run.history[epoch].testTop1)
        }
    }

    func testNonFiniteLossStopsNamingEpochAndBatch() throws {
        let train = try halvesDataset(count: 32, seed: 1), test = try halvesDataset(count: 8, seed: 2)
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory("nan"))
        configuration.batchSize = 4
        configuration.progress = .silent
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        var calls = 0
        let trainer = Trainer(configuration: configuration) { model, images, labels in
            calls += 1
            let loss = try Trainer.crossEntropy(model: model, images: images, labels: labels)
            return calls == 8 + 4 ? try loss * Float.nan : loss   // epoch 1, batch 3 (8 batches per epoch)
        }
        let before = try XCTUnwrap(model.stateDictionary().first).tensor.toArray()
        XCTAssertThrowsError(try trainer.train(model: model, trainSet: train, testSet: test)) { error in
            let checkpoint = configuration.outputDirectory + "/checkpoint.safetensors"
            XCTAssertEqual(error as? TrainingError, .nonFiniteLoss(epoch: 1, batch: 3, checkpoint: checkpoint))
            XCTAssertEqual("\(error)", "training stopped: the loss is not finite (NaN or infinite) at epoch 1, batch 3 "
                + "(both from 0); the last good checkpoint, \(checkpoint), is kept")
        }
        XCTAssertNotEqual(try XCTUnwrap(model.stateDictionary().first).tensor.toArray(), before)
        XCTAssertEqual(model.parameters.filter { $0.grad != nil }.count, 0, "no gradient is left behind")
        XCTAssertEqual(try SafeTensors.metadata(contentsOf: configuration.outputDirectory + "/last.safetensors")["epoch"], "0")
    }

    func testPlainProgressLine() {
        let record = EpochRecord(epoch: 1, trainLoss: 0.693147, testTop1: 0.5, testTop5: 1, testLoss: 0.70001,
                                 learningRate: Double(Float(0.05)), seconds: 12.345)
        XCTAssertEqual(ProgressReporter.epochLine(record, epochs: 30),
                       "epoch 2/30  train loss 0.6931  test top-1 50.00%  top-5 100.00%  test loss 0.7000  lr 0.05  12.3 s")
        XCTAssertEqual(ProgressReporter.stepLine(epoch: 0, epochs: 3, batch: 16, batches: 782, loss: 1.23456,
                                                 imagesPerSecond: 811.6, secondsLeft: 3725),
                       "epoch 1/3  batch 17/782  loss 1.2346  812 img/s  ETA 1:02:05")

        var written: [String] = []
        var plain = ProgressReporter(style: .plain, epochs: 30)
        plain.write = { written.append($0) }
        plain.step(epoch: 1, batch: 0, batches: 10, loss: 1, imagesPerSecond: 1, secondsLeft: 1)
        plain.epochEnded(record)
        XCTAssertEqual(written, [ProgressReporter.epochLine(record, epochs: 30) + "\n"], "one line per epoch, no escape codes")

        written = []
        var terminal = ProgressReporter(style: .terminal, epochs: 30)
        terminal.write = { written.append($0) }
        terminal.step(epoch: 1, batch: 0, batches: 10, loss: 1, imagesPerSecond: 1, secondsLeft: 1)
        XCTAssertEqual(written, ["\r\u{1B}[2Kepoch 2/30  batch 1/10  loss 1.0000  1 img/s  ETA 0:01"])
    }
}
