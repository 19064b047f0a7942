import Foundation
import XCTest
import GirdData
import GirdNN
import GirdTensor
import GirdTrain
@testable import GirdDistill

/// The first steps of a real distillation, in lockstep with PyTorch: the
/// engine's Fashion-MNIST protocol (resnet20 teacher, resnet8 student, CE +
/// KD + GIRD with K = 4096 or 256, β 4, γ 1, SGD 0.9 / 5e-4, cosine, crops
/// and flips, batch 64) against `scripts/parity/twin.py`, a PyTorch twin whose
/// GIRD was written from the method's spec alone, run from the same initial
/// weights on the same batches (it replays the engine's random streams).
/// The fixtures (`Fixtures/pytorch-lockstep`, written by
/// `scripts/parity/lockstep.py --fixture`) hold PyTorch's loss and terms at
/// every step, each batch's dataset indices, and checksums of every tensor
/// after the last step. Needs the Debian Fashion-MNIST files, as CI has.
final class PyTorchLockstepTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pytorch-lockstep").path
    static let teacherWeights = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../recipes/fmnist/teacher-resnet20.safetensors").standardizedFileURL.path

    /// Forwards to the distiller and keeps, for each step, the total loss,
    /// each term and the batch's dataset indices.
    final class Recorder: TrainingObjective {
        let inner: Distiller
        var steps: [(loss: Double, terms: [Double], indices: [Int])] = []

        init(_ inner: Distiller) { self.inner = inner }

        func join(_ group: ProcessGroup) { inner.join(group) }
        func prepare(model: Network, trainSet: Dataset) throws { try inner.prepare(model: model, trainSet: trainSet) }
        func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
            let value = try inner.loss(model: model, batch: batch)
            steps.append((Double(try value.item()), inner.lastLossTerms, batch.indices))
            return value
        }
        func afterStep() throws { try inner.afterStep() }
        var trainableModules: [(name: String, module: Module)] { inner.trainableModules }
        var trainingState: [String: TrainingState] { inner.trainingState }
        var lossTermNames: [String] { inner.lossTermNames }
        var lastLossTerms: [Double] { inner.lastLossTerms }
        var lastLogits: Tensor? { inner.lastLogits }
    }

    struct Fixture: Decodable {
        struct Recipe: Decodable { let subset: Int; let epochs: Int; let lr: Double; let bank: Int; let beta: Float; let gamma: Float }
        struct Step: Decodable { let step: Int; let loss: Double; let terms: [String: Double]; let batch: [Int] }
        struct Checksum: Decodable { let sum: Double; let abs_sum: Double; let l2: Double }
        struct PyTorch: Decodable { let steps: [Step]; let final: [String: Checksum] }
        let recipe: Recipe
        let subset_indices: [Int]
        let pytorch: PyTorch
    }

    /// Runs one fixture's steps; returns the worst relative difference of a
    /// step's loss (or term) and of a final tensor's L2 norm (those that do
    /// not start at zero), and the worst update difference of those that do.
    func run(_ file: String) throws -> (loss: Double, weights: Double, zeroStarted: Double) {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/\(file)")))
        let all = try Dataset.fashionMNIST(split: .train)
        let train = try all.subset(fixture.recipe.subset, seed: 0)
        let test = try Dataset.fashionMNIST(split: .test).subset(100, seed: 0)
        let teacher = try ModelZoo.make("resnet20", classes: 10, inChannels: 1)
        try teacher.loadWeights(contentsOf: Self.teacherWeights)
        let student = try ModelZoo.make("resnet8", classes: 10, inChannels: 1)
        try student.loadWeights(contentsOf: "\(Self.folder)/init-s0.safetensors")
        let initial = Dictionary(uniqueKeysWithValues: student.stateDictionary().map { ($0.name, $0.tensor.toArray()) })
        let gird = try GIRD(configuration: GIRD.Configuration(bankSize: fixture.recipe.bank, similarityWeight: fixture.recipe.beta,
                                                               evolutionWeight: fixture.recipe.gamma))
        let recorder = Recorder(try Distiller(teacher: teacher, terms: [
            DistillationTerm(try CrossEntropyTerm()), DistillationTerm(try KnowledgeDistillation(temperature: 4)), DistillationTerm(gird)]))
        var configuration = TrainingConfiguration(epochs: fixture.recipe.epochs, outputDirectory: NSTemporaryDirectory() + "lockstep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        configuration.learningRate = fixture.recipe.lr
        configuration.schedule = .cosine
        configuration.augmentation = [.randomCrop(size: 32, padding: 4), .horizontalFlip(probability: 0.5)]
        configuration.progress = .silent
        configuration.tensorBoard = nil
        _ = try Trainer(configuration: configuration, objective: recorder).train(model: student, trainSet: train, testSet: test)

        XCTAssertEqual(recorder.steps.count, fixture.pytorch.steps.count, file)
        var worstLoss = 0.0
        for (ours, theirs) in zip(recorder.steps, fixture.pytorch.steps) {
            // The same images: the subset's positions map to PyTorch's dataset indices.
            let subsetIndices = fixture.subset_indices
            XCTAssertEqual(ours.indices.map { subsetIndices[$0] }, theirs.batch, "\(file) step \(theirs.step): batch")
            worstLoss = max(worstLoss, abs(ours.loss - theirs.loss) / abs(theirs.loss))
            for (name, value) in zip(recorder.lossTermNames, ours.terms) {
                guard let reference = theirs.terms[name] else { XCTFail("\(file): PyTorch has no term \(name)"); continue }
                worstLoss = max(worstLoss, abs(value - reference) / max(abs(reference), 1e-3))
            }
        }
        var worstWeights = 0.0, worstZeroStarted = 0.0
        for (name, tensor) in student.stateDictionary() where tensor.dtype == .float32 {
            guard let reference = fixture.pytorch.final[name] else { XCTFail("\(file): no checksum of \(name)"); continue }
            let values = tensor.toArray()
            let l2 = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            if initial[name]?.allSatisfy({ $0 == 0 }) == true {
                // Started at zero (biases): the norm is the update's own, compared as such.
                worstZeroStarted = max(worstZeroStarted, abs(l2 - reference.l2) / max(reference.l2, 1e-12))
            } else {
                worstWeights = max(worstWeights, abs(l2 - reference.l2) / reference.l2)
            }
        }
        print("PyTorchLockstepTests \(file): worst step loss or term \(worstLoss), worst tensor norm \(worstWeights), zero-started \(worstZeroStarted)")
        return (worstLoss, worstWeights, worstZeroStarted)
    }

    // The bounds hold on both CPUs these tests run on. The fixtures' PyTorch
    // ran on one ISA; on the other, oneDNN's (and PyTorch's) kernels sum in
    // another order, and a few steps amplify that. Measured, the engine
    // against the fixtures (AVX2 / AVX-512, the first three fixtures written
    // on AVX2, the last on AVX-512):
    //   20 steps, K = 4096: loss or term 1.7e-5 / 5.6e-5, norm 8.6e-5 / 2.8e-4, zero-started 5.1e-4 / 2.2e-3
    //   20 steps, K = 256:  loss or term 1.7e-5 / 7.6e-5, norm 8.6e-5 / 4.0e-4, zero-started 5.1e-4 / 2.2e-3
    //   3 epochs of 200:    loss or term   -    / 1.8e-5, norm   -    / 1.8e-5, zero-started   -    / 3.0e-4
    //   2 steps at 0.05:    loss or term 8e-7   / 2.3e-5, norm 1.9e-6 / 1.2e-5, zero-started 2.2e-4 / 6.3e-4
    // The bounds are about 3x the worst. They still fail on the defect this
    // check found (batch norm's sums in one float: norms 1.5% off after 20
    // steps, 3% after one step at 0.05).
    static let bounds = (loss: 2.5e-4, weights: 1.5e-3, zeroStarted: 7e-3)

    /// 20 steps at lr 0.001 (the differences grow slowly enough to see
    /// twenty steps through), with a bank larger than the 1280 images and
    /// with one (K = 256) that wraps five times.
    func testTwentyStepsAgreeWithPyTorch() throws {
        for file in ["gird-k4096-lr0.001-s0-steps20.json", "gird-k256-lr0.001-s0-steps20.json"] {
            let worst = try run(file)
            XCTAssertLessThan(worst.loss, Self.bounds.loss, file)
            XCTAssertLessThan(worst.weights, Self.bounds.weights, file)
            XCTAssertLessThan(worst.zeroStarted, Self.bounds.zeroStarted, file)
        }
    }

    /// Three epochs of 200 images (3 x 64 + 8): every epoch ends on a batch of
    /// 8, the bank (K = 256) holds earlier epochs' images and wraps; the
    /// steps a 20-epoch run has and the 20 steps above do not.
    func testEpochBoundariesAndShortBatchesAgreeWithPyTorch() throws {
        let worst = try run("gird-k256-lr0.001-s0-n200-e3.json")
        XCTAssertLessThan(worst.loss, Self.bounds.loss)
        XCTAssertLessThan(worst.weights, Self.bounds.weights)
        XCTAssertLessThan(worst.zeroStarted, Self.bounds.zeroStarted)
    }

    /// The protocol's own rate, 0.05, for two steps (from the third on, a
    /// fresh network amplifies float rounding several times a step).
    func testTwoStepsAtTheProtocolsRateAgreeWithPyTorch() throws {
        let worst = try run("gird-k4096-lr0.05-s0-steps2.json")
        XCTAssertLessThan(worst.loss, 7e-5)
        XCTAssertLessThan(worst.weights, 4e-5)
        XCTAssertLessThan(worst.zeroStarted, 2e-3)
    }
}
