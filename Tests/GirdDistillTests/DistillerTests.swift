import Foundation
import XCTest
import GirdData
import GirdNN
import GirdTensor
@testable import GirdTrain
@testable import GirdDistill

/// Two classes of 1x32x32 noise images, brighter on the left or the right half.
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
    NSTemporaryDirectory() + "gird-\(name)-\(UUID().uuidString)"
}

/// A method that records what the distiller hands it.
final class RecordingMethod: DistillationMethod {
    let name = "recording"
    var setup: DistillationSetup?
    var steps: [DistillationStep] = []
    var afterSteps = 0

    func configure(student: Network, teacher: Network) throws -> TapRequest {
        TapRequest(student: DefaultTaps.stemAndStages(of: student), teacher: [DefaultTaps.lastStage(of: teacher)])
    }

    func build(_ setup: DistillationSetup) throws { self.setup = setup }

    func loss(_ step: DistillationStep) throws -> Tensor {
        steps.append(step)
        return try (try step.student("stage3")).mean() * 0
    }

    func afterStep() throws { afterSteps += 1 }
}

final class DistillerTests: XCTestCase {
    func testTeacherIsFrozenAndTermsAreWeighted() throws {
        let teacher = try ModelZoo.make("resnet20", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 1))
        let student = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 2))
        let recording = RecordingMethod()
        let distiller = try Distiller(teacher: teacher, terms: [
            DistillationTerm(try CrossEntropyTerm()), DistillationTerm(try KnowledgeDistillation(temperature: 4), weight: 0.5),
            DistillationTerm(recording, weight: 3),
        ])
        try distiller.prepare(student: student, imageShape: [1, 32, 32], trainingSetSize: 10)
        XCTAssertEqual(recording.setup?.studentShapes["stage1"], [2, 16, 32, 32])
        XCTAssertEqual(recording.setup?.studentShapes["stem"], [2, 16, 32, 32])
        XCTAssertEqual(recording.setup?.teacherShapes["stage3"], [2, 64, 8, 8])
        XCTAssertEqual(recording.setup?.studentShapes["logits"], [2, 2])
        XCTAssertEqual(recording.setup?.trainingSetSize, 10)

        let data = try halvesDataset(count: 4, seed: 3)
        let (images, labels) = try data.batch(indices: [0, 1, 2, 3], normalized: true)
        student.train()
        teacher.train()
        let total = try distiller.loss(model: student, batch: TrainingBatch(images: images, labels: labels, indices: [7, 1, 2, 3]))
        XCTAssertFalse(teacher.isTraining, "the teacher runs in eval mode")
        let step = try XCTUnwrap(recording.steps.first)
        XCTAssertEqual(step.indices, [7, 1, 2, 3])
        XCTAssertFalse(step.teacher.logits.requiresGrad, "no tape through the teacher")
        XCTAssertTrue(step.student.logits.requiresGrad)
        XCTAssertEqual(Set(step.student.features.keys), ["stem", "stage1", "stage2", "stage3"])

        let ce = try Tensor.crossEntropy(step.student.logits, labels: labels).item()
        let kd = try KnowledgeDistillation.loss(student: step.student.logits, teacher: step.teacher.logits, temperature: 4).item()
        XCTAssertEqual(try total.item(), ce + 0.5 * kd, accuracy: 1e-6)
        XCTAssertEqual(distiller.lastValues.map(\.name), ["ce", "kd", "recording"])
        XCTAssertEqual(distiller.lastValues[1].value, kd)
        try distiller.afterStep()
        XCTAssertEqual(recording.afterSteps, 1)
    }

    func testUnknownTapListsTheTapsTheModelHas() throws {
        final class BadTap: DistillationMethod {
            let name = "bad"
            func configure(student: Network, teacher: Network) throws -> TapRequest { TapRequest(student: ["stage4"]) }
            func loss(_ step: DistillationStep) throws -> Tensor { Tensor(0) }
        }
        let distiller = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 2), terms: [DistillationTerm(BadTap())])
        XCTAssertThrowsError(try distiller.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32],
                                                   trainingSetSize: 1)) { error in
            XCTAssertEqual(error as? NetworkError, .unknownTap(network: "resnet8", tap: "stage4", available: [
                "stem", "stage1.preact", "stage1", "stage2.preact", "stage2", "stage3.preact", "stage3", "embedding", "logits"]))
        }
    }

    func testBadWeightsAndEmptyTermListAreRefused() throws {
        let teacher = try ModelZoo.make("resnet8", classes: 2)
        XCTAssertThrowsError(try Distiller(teacher: teacher, terms: [])) { error in
            XCTAssertEqual("\(error)", "a distillation needs at least one loss term")
        }
        XCTAssertThrowsError(try Distiller(teacher: teacher, terms: [DistillationTerm(try CrossEntropyTerm(), weight: -1)])) { error in
            XCTAssertEqual("\(error)", "ce: weight must be zero or more, got -1.0")
        }
    }

    func testKDWithMismatchedClassesIsRefusedAtSetUp() throws {
        let distiller = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 100),
                                      terms: [DistillationTerm(try KnowledgeDistillation())])
        XCTAssertThrowsError(try distiller.prepare(student: try ModelZoo.make("resnet8", classes: 10), imageShape: [3, 32, 32],
                                                   trainingSetSize: 1)) { error in
            XCTAssertEqual("\(error)", "kd: the student has [10] logits and the teacher [100]; they must match")
        }
    }

    /// Two resnet8 on the halves task (teacher, student) and a silent
    /// configuration of batch 16 writing under a temporary folder.
    private func trainerSetUp(epochs: Int, name: String) throws -> (Network, Network, TrainingConfiguration) {
        let teacher = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 4))
        let student = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 5))
        var configuration = TrainingConfiguration(epochs: epochs, outputDirectory: temporaryDirectory(name))
        configuration.batchSize = 16
        configuration.progress = .silent
        return (teacher, student, configuration)
    }

    /// CE + KD through the trainer for eight short epochs: finite losses, a run
    /// that learns the halves task.
    func testTrainsThroughTheTrainer() throws {
        let train = try halvesDataset(count: 64, seed: 1), test = try halvesDataset(count: 32, seed: 2)
        let (teacher, student, configuration) = try trainerSetUp(epochs: 8, name: "distill")
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        let distiller = try Distiller(teacher: teacher, terms: [
            DistillationTerm(try CrossEntropyTerm()), DistillationTerm(try KnowledgeDistillation(), weight: 0.1)])
        let run = try Trainer(configuration: configuration, objective: distiller).train(model: student, trainSet: train, testSet: test)
        XCTAssertEqual(run.history.count, 8)
        XCTAssertTrue(run.history.allSatisfy { $0.trainLoss.isFinite })
        XCTAssertGreaterThanOrEqual(run.finalTop1, 0.9)
    }

    /// Each term's weighted mean is logged (metrics files, progress line)
    /// and the terms add up to the train loss; a method used twice is
    /// numbered from its second use.
    func testEachTermIsLoggedAndTheTermsAddUpToTheLoss() throws {
        let train = try halvesDataset(count: 48, seed: 1), test = try halvesDataset(count: 16, seed: 2)
        let (teacher, student, configuration) = try trainerSetUp(epochs: 2, name: "terms")
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        let distiller = try Distiller(teacher: teacher, terms: [
            DistillationTerm(try CrossEntropyTerm()), DistillationTerm(try KnowledgeDistillation(), weight: 0.5),
            DistillationTerm(try KnowledgeDistillation(temperature: 2), weight: 0.25)])
        XCTAssertEqual(distiller.lossTermNames, ["ce", "kd", "kd_2"])
        let run = try Trainer(configuration: configuration, objective: distiller).train(model: student, trainSet: train, testSet: test)
        for record in run.history {
            XCTAssertEqual(Set(record.termLosses.keys), ["ce", "kd", "kd_2"])
            let sum = record.termLosses.values.reduce(0, +)
            XCTAssertEqual(sum, record.trainLoss, accuracy: 1e-5 * record.trainLoss)
            XCTAssertGreaterThan(record.termLosses["kd"]!, 0)
        }
        let csv = try String(contentsOfFile: configuration.outputDirectory + "/metrics.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines[0], "epoch,train_loss,test_top1,test_top5,test_loss,lr,seconds,train_top1,train_top5,"
                       + "loss_ce,loss_kd,loss_kd_2")
        XCTAssertEqual(lines[1].split(separator: ",")[7], "\(run.history[0].trainTop1!)")
        XCTAssertEqual(lines[1].split(separator: ",")[9], "\(run.history[0].termLosses["ce"]!)")
        let json = try String(contentsOfFile: configuration.outputDirectory + "/metrics.jsonl", encoding: .utf8)
        let first = try JSONDecoder().decode(EpochRecord.self, from: Data(json.split(separator: "\n")[0].utf8))
        XCTAssertEqual(first, run.history[0])
        XCTAssertTrue(json.contains("\"loss_kd_2\":"), json)
        let line = ProgressReporter.epochLine(run.history[1], epochs: 2, terms: distiller.lossTermNames)
        let ce = String(format: "%.4f", run.history[1].termLosses["ce"]!)
        XCTAssertTrue(line.hasPrefix("epoch 2/2  train loss \(String(format: "%.4f", run.history[1].trainLoss)) (ce \(ce) kd "), line)
    }
}
