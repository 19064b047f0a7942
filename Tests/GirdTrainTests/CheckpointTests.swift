import Foundation
import XCTest
import GirdData
import GirdNN
import GirdTensor
@testable import GirdTrain

final class CheckpointTests: XCTestCase {
    private func bits(_ model: Network) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: model.stateDictionary().map { ($0.name, $0.tensor.toArray().map(\.bitPattern)) })
    }

    /// 2 epochs in one go == 1 epoch, then a fresh model and trainer resumed for the 2nd.
    private func checkResumeIsBitExact(_ kind: TrainingConfiguration.OptimizerKind) throws {
        try ComputeThreads.set(1)
        defer { try? ComputeThreads.set(ComputeThreads.defaultCount) }
        let train = try halvesDataset(count: 24, seed: 1), test = try halvesDataset(count: 8, seed: 2)
        func configuration(epochs: Int, _ name: String) -> TrainingConfiguration {
            var configuration = TrainingConfiguration(epochs: epochs, outputDirectory: temporaryDirectory(name))
            configuration.batchSize = 8
            configuration.optimizer = kind
            configuration.learningRate = kind == .sgd ? 0.05 : 1e-3
            configuration.nesterov = true
            configuration.schedule = .cosine
            configuration.seed = 7
            configuration.augmentation = [.randomCrop(size: 32, padding: 4), .horizontalFlip(probability: 0.5)]
            configuration.progress = .silent
            return configuration
        }
        let whole = configuration(epochs: 2, "whole")
        defer { try? FileManager.default.removeItem(atPath: whole.outputDirectory) }
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        let uninterrupted = try Trainer(configuration: whole).train(model: model, trainSet: train, testSet: test)

        // The first epoch of the same run, stopped after it: a 2-epoch run's checkpoint after epoch 0.
        let first = configuration(epochs: 2, "first")
        defer { try? FileManager.default.removeItem(atPath: first.outputDirectory) }
        let interrupted = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        var epochs = 0
        let stopping = Trainer(configuration: first) { model, images, labels in
            epochs += 1
            guard epochs <= 3 else { return Tensor(Float.nan) }   // 3 batches per epoch: stop in epoch 1
            return try Trainer.crossEntropy(model: model, images: images, labels: labels)
        }
        XCTAssertThrowsError(try stopping.train(model: interrupted, trainSet: train, testSet: test))

        let resumedModel = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 99))
        let resumed = try Trainer(configuration: first).resume(from: stopping.checkpointPath, model: resumedModel,
                                                             trainSet: train, testSet: test)
        XCTAssertEqual(bits(resumedModel), bits(model), "\(kind)")
        XCTAssertEqual(resumed.history.count, 2)
        XCTAssertEqual(resumed.history.map(\.trainLoss), uninterrupted.history.map(\.trainLoss))
        XCTAssertEqual(resumed.history.map(\.testTop1), uninterrupted.history.map(\.testTop1))
        XCTAssertEqual(resumed.finalTop1, uninterrupted.finalTop1)
    }

    func testResumeIsBitExactSGD() throws { try checkResumeIsBitExact(.sgd) }
    func testResumeIsBitExactAdamW() throws { try checkResumeIsBitExact(.adamW) }

    func testCorruptCheckpointNamesTheFile() throws {
        let train = try halvesDataset(count: 8, seed: 1), test = try halvesDataset(count: 4, seed: 2)
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory("corrupt"))
        configuration.batchSize = 8
        configuration.epochs = 1
        configuration.progress = .silent
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        let trainer = Trainer(configuration: configuration)
        _ = try trainer.train(model: try ModelZoo.make("resnet8", classes: 2, inChannels: 1), trainSet: train, testSet: test)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: trainer.checkpointPath))
        let truncated = configuration.outputDirectory + "/truncated.safetensors"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try trainer.resume(from: truncated, model: try ModelZoo.make("resnet8", classes: 2, inChannels: 1),
                                                trainSet: train, testSet: test)) { error in
            guard case .unreadable(let path, _)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, truncated)
            XCTAssertTrue("\(error)".hasPrefix(truncated + ": cannot resume from this checkpoint: "), "\(error)")
        }
        // A weights file is not a checkpoint.
        let weights = configuration.outputDirectory + "/last.safetensors"
        XCTAssertThrowsError(try trainer.resume(from: weights, model: try ModelZoo.make("resnet8", classes: 2, inChannels: 1),
                                                trainSet: train, testSet: test)) { error in
            XCTAssertTrue("\(error)".hasPrefix(weights + ": cannot resume"), "\(error)")
        }
    }
}

/// A loss that owns state: it counts the steps it has seen, in a tensor.
final class CountingLoss: TrainingState {
    var steps = Tensor.zeros([1])
    var checkpointTensors: [(name: String, tensor: Tensor)] { [("steps", steps)] }
    func restore(checkpointTensors: [String: Tensor]) throws {
        guard let saved = checkpointTensors["steps"], saved.shape == [1] else {
            throw TensorError.invalidArgument(op: "CountingLoss", message: "no step count saved")
        }
        steps = saved
    }
    func loss(model: Network, images: Tensor, labels: Tensor) throws -> Tensor {
        steps = try steps + 1
        return try Trainer.crossEntropy(model: model, images: images, labels: labels)
    }
}

final class TrainingStateCheckpointTests: XCTestCase {
    /// 24 images in batches of 8: 3 steps an epoch. A run stopped in epoch
    /// 1 and resumed from the checkpoint after epoch 0 must carry the count
    /// (3) and end at 6, as the uninterrupted run does.
    func testLossStateIsSavedAndRestored() throws {
        let train = try halvesDataset(count: 24, seed: 1), test = try halvesDataset(count: 8, seed: 2)
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory("loss-state"))
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        configuration.batchSize = 8
        configuration.progress = .silent

        let counting = CountingLoss()
        var calls = 0
        let stopping = Trainer(configuration: configuration) { model, images, labels in
            calls += 1
            guard calls <= 4 else { return Tensor(Float.nan) }
            return try counting.loss(model: model, images: images, labels: labels)
        }
        stopping.state["counter"] = counting
        XCTAssertThrowsError(try stopping.train(model: ModelZoo.make("resnet8", classes: 2, inChannels: 1),
                                                trainSet: train, testSet: test))
        XCTAssertEqual(counting.steps.toArray(), [4], "the live count went on past the checkpoint")

        let fresh = CountingLoss()
        let resuming = Trainer(configuration: configuration, loss: fresh.loss)
        resuming.state["counter"] = fresh
        _ = try resuming.resume(from: stopping.checkpointPath, model: ModelZoo.make("resnet8", classes: 2, inChannels: 1),
                                trainSet: train, testSet: test)
        XCTAssertEqual(fresh.steps.toArray(), [6], "3 restored from the checkpoint after epoch 0, then 3 more")
    }

    func testStateThatDoesNotFitIsRefusedNamingTheOwner() throws {
        let train = try halvesDataset(count: 8, seed: 1), test = try halvesDataset(count: 8, seed: 2)
        var configuration = TrainingConfiguration(epochs: 1, outputDirectory: temporaryDirectory("loss-state-refused"))
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        configuration.batchSize = 8
        configuration.progress = .silent
        let trainer = Trainer(configuration: configuration)
        _ = try trainer.train(model: ModelZoo.make("resnet8", classes: 2, inChannels: 1), trainSet: train, testSet: test)
        let resuming = Trainer(configuration: configuration)
        resuming.state["counter"] = CountingLoss()
        XCTAssertThrowsError(try resuming.resume(from: trainer.checkpointPath,
                                                 model: ModelZoo.make("resnet8", classes: 2, inChannels: 1),
                                                 trainSet: train, testSet: test)) { error in
            XCTAssertEqual("\(error)", "\(trainer.checkpointPath): cannot resume from this checkpoint: state 'counter': CountingLoss: no step count saved")
        }
    }
}
