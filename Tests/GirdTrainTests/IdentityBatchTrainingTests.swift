import Foundation
import XCTest
import GirdData
import GirdNN
import GirdTensor
@testable import GirdTrain

/// A run with `instancesPerIdentity` trains on P x K batches: every step's
/// labels are P identities of K images each, and an epoch has the
/// sampler's number of steps.
final class IdentityBatchTrainingTests: XCTestCase {
    final class RecordingObjective: TrainingObjective {
        var batches: [[Int64]] = []
        func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
            batches.append(batch.labels.toIndices())
            return try Tensor.crossEntropy(try model(batch.images), labels: batch.labels)
        }
    }

    func testStepsSeePIdentitiesOfKImages() throws {
        // 7 identities with 3 to 9 images each, 32x32 grey.
        let counts = [3, 9, 4, 5, 6, 4, 8]
        let labels = counts.enumerated().flatMap { Array(repeating: Int64($0), count: $1) }
        let generator = RandomGenerator(seed: 1)
        let pixels = (0..<(labels.count * 1024)).map { _ in UInt8(generator.nextInt(below: 256)) }
        let data = try Dataset(name: "ids", classes: counts.indices.map { "\($0)" }, imageShape: [1, 32, 32], pixels: pixels,
                               labels: labels)
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: NSTemporaryDirectory() + "gird-pk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        configuration.batchSize = 9
        configuration.instancesPerIdentity = 3
        configuration.progress = .silent
        configuration.tensorBoard = nil
        let objective = RecordingObjective()
        let model = try ModelZoo.make("resnet8", classes: 7, inChannels: 1)
        _ = try Trainer(configuration: configuration, objective: objective).train(model: model, trainSet: data, testSet: data)
        // Chunks of 3: 1 + 3 + 1 + 1 + 2 + 1 + 2 = 11, over P = 3: 3 steps an epoch (a plain loader: 5).
        XCTAssertEqual(objective.batches.count, 6)
        for batch in objective.batches {
            XCTAssertEqual(batch.count, 9)
            let groups = stride(from: 0, to: 9, by: 3).map { Array(batch[$0..<($0 + 3)]) }
            XCTAssertTrue(groups.allSatisfy { Set($0).count == 1 }, "\(batch)")
            XCTAssertEqual(Set(groups.map { $0[0] }).count, 3, "\(batch)")
        }
    }
}
