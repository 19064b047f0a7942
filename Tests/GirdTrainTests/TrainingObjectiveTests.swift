import Foundation
import XCTest
import GirdData
import GirdNN
import GirdTensor
@testable import GirdTrain

/// An objective with a trainable module of its own (a scale on the logits),
/// a step counter it checkpoints, and a record of the indices it saw.
final class ScaledLogitsObjective: TrainingObjective {
    let scale = ScaleModule()
    let counter = CountingLoss()
    var afterSteps = 0
    var seenIndices: [[Int]] = []

    final class ScaleModule: Module {
        let factor = try! Tensor.ones([1]).requiringGrad()
        override init() {
            super.init()
            registerParameter("factor", factor)
        }
    }

    func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
        seenIndices.append(batch.indices)
        counter.steps = try counter.steps + 1
        return try Tensor.crossEntropy(try model(batch.images) * scale.factor, labels: batch.labels)
    }

    func afterStep() throws { afterSteps += 1 }

    var trainableModules: [(name: String, module: Module)] { [("scale", scale)] }
    var trainingState: [String: TrainingState] { ["counter": counter] }
}

final class TrainingObjectiveTests: XCTestCase {
    func configuration(_ name: String) -> TrainingConfiguration {
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory(name))
        configuration.batchSize = 8
        configuration.progress = .silent
        configuration.seed = 3
        return configuration
    }

    /// The objective's module is trained and checkpointed, `afterStep` runs
    /// once per step, and each batch's indices are the loader's order.
    func testModulesTrainAndIndicesFollowTheLoader() throws {
        let train = try halvesDataset(count: 20, seed: 1), test = try halvesDataset(count: 8, seed: 2)
        let configuration = configuration("objective")
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        let objective = ScaledLogitsObjective()
        let trainer = Trainer(configuration: configuration, objective: objective)
        _ = try trainer.train(model: ModelZoo.make("resnet8", classes: 2, inChannels: 1), trainSet: train, testSet: test)

        XCTAssertEqual(objective.afterSteps, 6, "3 steps an epoch (8, 8, 4 images), 2 epochs")
        XCTAssertNotEqual(objective.scale.factor.toArray(), [1], "the optimizer trained the objective's parameter")
        let loader = try DataLoader(train, batchSize: 8, shuffle: true, seed: 3)
        let order = loader.order(epoch: 1)
        XCTAssertEqual(objective.seenIndices[3...].map { $0 }, [Array(order[0..<8]), Array(order[8..<16]), Array(order[16..<20])])
        let saved = try SafeTensors.load(contentsOf: trainer.checkpointPath)
        XCTAssertEqual(saved["aux.scale.factor"]?.toArray(), objective.scale.factor.toArray())
        XCTAssertNotNil(saved["optimizer.aux.scale.factor.momentum_buffer"])
        XCTAssertEqual(saved["state.counter.steps"]?.toArray(), [6])
    }

    /// Stopping inside an epoch writes a checkpoint at that batch; resuming
    /// from it ends bit for bit where the uninterrupted run ends.
    func testInterruptedRunResumesExactly() throws {
        try ComputeThreads.set(1)
        defer { try? ComputeThreads.set(ComputeThreads.defaultCount) }
        let train = try halvesDataset(count: 20, seed: 1), test = try halvesDataset(count: 8, seed: 2)

        let whole = configuration("whole")
        defer { try? FileManager.default.removeItem(atPath: whole.outputDirectory) }
        let reference = ScaledLogitsObjective()
        let referenceModel = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 5))
        let referenceRun = try Trainer(configuration: whole, objective: reference)
            .train(model: referenceModel, trainSet: train, testSet: test)

        let split = configuration("split")
        defer { try? FileManager.default.removeItem(atPath: split.outputDirectory) }
        let first = ScaledLogitsObjective()
        let stopping = Trainer(configuration: split, objective: first)
        var asked = 0
        // Asked before each batch and once at the end of each epoch: the 6th
        // question comes before epoch 1, batch 1.
        stopping.shouldStop = { asked += 1; return asked == 6 }
        XCTAssertThrowsError(try stopping.train(model: ModelZoo.make("resnet8", classes: 2, inChannels: 1,
                                                                     generator: RandomGenerator(seed: 5)),
                                                trainSet: train, testSet: test)) { error in
            XCTAssertEqual(error as? TrainingError, .interrupted(epoch: 1, batch: 1, checkpoint: stopping.checkpointPath))
            XCTAssertEqual("\(error)", "training interrupted before epoch 2, batch 2 (both from 1); resume from \(stopping.checkpointPath)")
        }
        XCTAssertEqual(first.afterSteps, 4)

        let second = ScaledLogitsObjective()
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 99))
        let run = try Trainer(configuration: split, objective: second)
            .resume(from: stopping.checkpointPath, model: model, trainSet: train, testSet: test)
        XCTAssertEqual(second.afterSteps, 2)
        XCTAssertEqual(second.counter.steps.toArray(), [6])
        XCTAssertEqual(second.scale.factor.toArray(), reference.scale.factor.toArray())
        for ((name, a), (_, b)) in zip(model.stateDictionary(), referenceModel.stateDictionary()) {
            XCTAssertEqual(a.toArray(), b.toArray(), name)
        }
        XCTAssertEqual(run.history.map(\.trainLoss), referenceRun.history.map(\.trainLoss))
        XCTAssertEqual(run.finalTop1, referenceRun.finalTop1)
    }
}
