import Foundation
import XCTest
import GirdNN
@testable import GirdTrain

/// Fault injection found by reasoning on the kill-and-resume test: a run
/// killed after its last checkpoint but before its metrics files are
/// rewritten is finished by the checkpoint's account and an epoch short by
/// the files'. Resuming rewrites them from the checkpoint.
final class MetricsAfterAKillTests: XCTestCase {
    func testResumeRewritesMetricsAnEpochBehindTheCheckpoint() throws {
        let train = try halvesDataset(count: 16, seed: 1)
        var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory("metrics-behind"))
        configuration.batchSize = 8
        configuration.progress = .silent
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        let run = try Trainer(configuration: configuration).train(model: model, trainSet: train, testSet: train)
        let path = configuration.outputDirectory + "/metrics.jsonl"
        let complete = try String(contentsOfFile: path, encoding: .utf8)
        let firstLine = complete.split(separator: "\n")[0] + "\n"
        try firstLine.write(toFile: path, atomically: true, encoding: .utf8)  // as if killed before the rewrite
        _ = try Trainer(configuration: configuration).resume(from: run.checkpointPath, model: model, trainSet: train, testSet: train)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), complete)
    }
}
