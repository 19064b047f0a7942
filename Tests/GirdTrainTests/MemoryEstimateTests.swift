import Foundation
import XCTest
import GirdData
import GirdNN
import GirdTensor
@testable import GirdTrain

/// The memory checked before step 1: the estimate against the peak a real
/// run reaches, and the named error when it does not fit.
final class MemoryEstimateTests: XCTestCase {
    private func images(_ count: Int, side: Int, channels: Int) throws -> Dataset {
        let generator = RandomGenerator(seed: 3)
        let pixels = (0..<(count * channels * side * side)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        return try Dataset(name: "noise", classes: ["a", "b"], imageShape: [channels, side, side], pixels: pixels,
                           labels: (0..<count).map { Int64($0 % 2) })
    }

    /// The peak a short run adds to the bytes tensors hold (`TensorMemory`'s
    /// high-water mark, reset before it, less what was held before it)
    /// against the estimate.
    func testEstimateIsWithinAFactorOfTwoOfThePeak() throws {
        for (name, side, channels, batch, optimizer) in [("resnet8", 32, 1, 64, TrainingConfiguration.OptimizerKind.sgd),
                                                         ("tv_resnet18", 96, 3, 32, .adam)] {
            let data = try images(batch * 2, side: side, channels: channels)
            let model = try ModelZoo.make(name, classes: 2, inChannels: channels)
            var configuration = TrainingConfiguration(epochs: 1, outputDirectory: temporaryDirectory("memory"))
            defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
            configuration.batchSize = batch
            configuration.optimizer = optimizer
            configuration.progress = .silent
            configuration.tensorBoard = nil
            let estimate = try MemoryEstimate.make(model: model, trainableValues: model.parameterCount, optimizer: optimizer,
                                                   momentum: 0.9, batch: batch, imageShape: [channels, side, side])
            TensorMemory.resetPeak()
            let before = TensorMemory.liveBytes
            _ = try Trainer(configuration: configuration).train(model: model, trainSet: data, testSet: data)
            let peak = TensorMemory.peakBytes - before
            print("MemoryEstimateTests: \(name) batch \(batch) at \(side)x\(side): estimate \(MemoryLimit.describe(bytes: estimate.total)), "
                  + "peak added \(MemoryLimit.describe(bytes: peak))")
            XCTAssertGreaterThan(estimate.total * 2, peak, name)
            XCTAssertLessThan(estimate.total, peak * 2, name)
        }
    }

    /// A run that does not fit stops before step 1 with the figures, and
    /// has trained nothing.
    func testARunThatDoesNotFitIsRefusedWithTheFigures() throws {
        let data = try images(16, side: 32, channels: 1)
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        let before = model.stateDictionary().map { $0.tensor.toArray() }
        var configuration = TrainingConfiguration(epochs: 1, outputDirectory: temporaryDirectory("memory-refused"))
        defer { try? FileManager.default.removeItem(atPath: configuration.outputDirectory) }
        configuration.batchSize = 16
        configuration.progress = .silent
        configuration.availableMemory = 1 << 20
        XCTAssertThrowsError(try Trainer(configuration: configuration).train(model: model, trainSet: data, testSet: data)) { error in
            // resnet8 on 1x32x32: conv and BN outputs of 2·16384 (stem) + 4·16384 (stage 1) + 6·8192 (stage 2 with
            // its shortcut) + 6·4096 (stage 3) + 2 logits = 172 034 values an image; x 16 images x 4 bytes x 2 =
            // 21.0 MiB. 77 234 weights: 301.7 KiB of gradients and as much momentum. (2 + 2) x 16 images of 4 KiB queued.
            XCTAssertEqual("\(error)", "not enough memory: this run needs about 21.8 MiB more once it steps (activations of a batch of 16 "
                + "21.0 MiB, gradients 301.7 KiB, optimizer state 301.7 KiB, loader queue 256.0 KiB) and 1.0 MiB is available "
                + "(the configuration's availableMemory); lower the batch size or the image size")
        }
        XCTAssertEqual(model.stateDictionary().map { $0.tensor.toArray() }, before, "no step was taken")
        XCTAssertFalse(FileManager.default.fileExists(atPath: configuration.outputDirectory + "/checkpoint.safetensors"))
        // What the machine reports is read (a figure, and where it comes from).
        let available = try XCTUnwrap(MemoryEstimate.available())
        XCTAssertGreaterThan(available.bytes, 0)
        XCTAssertFalse(available.source.isEmpty)
    }
}
