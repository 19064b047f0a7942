import Foundation
import XCTest
import GirdData
import GirdNN
import GirdTensor
import GirdTrain
@testable import GirdDistill

/// The issue's end-to-end check: every method of the catalog distils a
/// resnet8 from a resnet20 teacher for two epochs on a Fashion-MNIST subset
/// (the Debian files), at its published weight next to CE, without a
/// non-finite loss (the trainer stops with an error on one).
final class AllMethodsFashionMNISTTests: XCTestCase {
    static let data = Result { () -> (train: Dataset, test: Dataset) in
        (try Dataset.fashionMNIST(split: .train).subset(128, seed: 1, stratified: true),
         try Dataset.fashionMNIST(split: .test).subset(64, seed: 2, stratified: true))
    }

    func testEveryMethodTrainsTwoEpochsWithoutNaN() throws {
        let (train, test) = try Self.data.get()
        let teacher = try ModelZoo.make("resnet20", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
        var teacherConfiguration = TrainingConfiguration(epochs: 1, outputDirectory: temporaryDirectory("teacher"))
        defer { try? FileManager.default.removeItem(atPath: teacherConfiguration.outputDirectory) }
        teacherConfiguration.batchSize = 32
        teacherConfiguration.progress = .silent
        _ = try Trainer(configuration: teacherConfiguration).train(model: teacher, trainSet: train, testSet: test)

        for entry in MethodCatalog.entries where entry.name != "ce" {
            var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory("all-\(entry.name)"))
            defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
            configuration.batchSize = 32
            configuration.progress = .silent
            configuration.schedule = .cosine
            let student = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 2))
            let distiller = try Distiller(teacher: teacher, terms: [
                DistillationTerm(try CrossEntropyTerm()), DistillationTerm(try entry.make(), weight: entry.publishedWeight)])
            let start = Date()
            defer { print("AllMethodsFashionMNISTTests: \(entry.name) \(String(format: "%.1f", Date().timeIntervalSince(start))) s") }
            do {
                let run = try Trainer(configuration: configuration, objective: distiller)
                    .train(model: student, trainSet: train, testSet: test)
                XCTAssertEqual(run.history.count, 2, entry.name)
                XCTAssertTrue(run.history.allSatisfy { $0.trainLoss.isFinite && $0.testLoss.isFinite }, entry.name)
                XCTAssertTrue(distiller.lastValues.allSatisfy { $0.value.isFinite }, entry.name)
            } catch {
                XCTFail("\(entry.name): \(error)")
            }
        }
    }
}
