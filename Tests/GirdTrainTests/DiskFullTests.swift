import Foundation
import XCTest
import GirdData
import GirdNN
@testable import GirdTensor
@testable import GirdTrain

/// A run whose disk fills up: a named error (the file, "No space left on
/// device"), the last good checkpoint intact, no temporary file left, and a
/// resume once there is room again ends bit-identical to a run that never
/// stopped. The disk is a 16 MiB tmpfs mounted for the test (mount needs
/// root, as CI has); where none can be mounted, every file write fails with
/// ENOSPC instead (`AtomicFileWriter.simulatedWriteError`), which tests the
/// same path from the write on.
final class DiskFullTests: XCTestCase {
    private var mountPoint = ""
    private var mounted = false

    override func setUpWithError() throws {
        mountPoint = NSTemporaryDirectory() + "gird-full-disk-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        mounted = mount.terminationStatus == 0
        if !mounted { print("DiskFullTests: cannot mount a tmpfs (mount needs root); writes fail with ENOSPC instead") }
    }

    override func tearDown() {
        AtomicFileWriter.simulatedWriteError = nil
        guard mounted else {
            try? FileManager.default.removeItem(atPath: mountPoint)
            return
        }
        let unmount = Process()
        unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
        unmount.arguments = [mountPoint]
        try? unmount.run()
        unmount.waitUntilExit()
        try? FileManager.default.removeItem(atPath: mountPoint)
    }

    private func bits(_ model: Network) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: model.stateDictionary().map { ($0.name, $0.tensor.toArray().map(\.bitPattern)) })
    }

    /// Fills the file system at `folder` with one file until a write fails.
    private func fill(_ folder: String) -> String {
        let ballast = folder + "/ballast"
        let descriptor = open(ballast, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let block = [UInt8](repeating: 0, count: 1 << 16)
        var small = [UInt8](repeating: 0, count: 512)
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        while small.withUnsafeMutableBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        close(descriptor)
        return ballast
    }

    func testAFullDiskStopsTheRunWithANamedErrorAndLosesNothing() throws {
        try ComputeThreads.set(1)
        defer { try? ComputeThreads.set(ComputeThreads.defaultCount) }
        let train = try halvesDataset(count: 24, seed: 1), test = try halvesDataset(count: 8, seed: 2)
        func configuration(_ directory: String) -> TrainingConfiguration {
            var configuration = TrainingConfiguration(epochs: 3, outputDirectory: directory)
            configuration.batchSize = 8
            configuration.schedule = .cosine
            configuration.seed = 5
            configuration.augmentation = [.randomCrop(size: 32, padding: 4), .horizontalFlip(probability: 0.5)]
            configuration.progress = .silent
            return configuration
        }
        let whole = configuration(temporaryDirectory("never-full"))
        defer { try? FileManager.default.removeItem(atPath: whole.outputDirectory) }
        let model = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        let uninterrupted = try Trainer(configuration: whole).train(model: model, trainSet: train, testSet: test)

        // The same run on the small disk, filled up as epoch 1 starts (3 steps an epoch).
        let directory = mountPoint + "/run"
        let trainer = Trainer(configuration: configuration(directory))
        var steps = 0, ballast = ""
        trainer.shouldStop = {
            steps += 1
            // Called before each step and once more at the end of an epoch: call 5 is epoch 1's first step.
            if steps == 5 {
                if self.mounted { ballast = self.fill(self.mountPoint) } else { AtomicFileWriter.simulatedWriteError = ENOSPC }
            }
            return false
        }
        let filled = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        XCTAssertThrowsError(try trainer.train(model: filled, trainSet: train, testSet: test)) { error in
            XCTAssertTrue("\(error)".hasPrefix(directory + "/"), "names the file: \(error)")
            XCTAssertTrue("\(error)".hasSuffix("No space left on device"), "\(error)")
            print("DiskFullTests: \(error)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertFalse(left.contains { $0.hasSuffix(".tmp") }, "no temporary file is left: \(left)")
        XCTAssertTrue(left.contains("checkpoint.safetensors"))

        // Room again: the resume redoes epoch 1 from the epoch-0 checkpoint and ends where the other run did.
        if mounted { try FileManager.default.removeItem(atPath: ballast) } else { AtomicFileWriter.simulatedWriteError = nil }
        let resumedModel = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 9))
        let resumed = try Trainer(configuration: configuration(directory)).resume(
            from: directory + "/checkpoint.safetensors", model: resumedModel, trainSet: train, testSet: test)
        XCTAssertEqual(bits(resumedModel), bits(model))
        XCTAssertEqual(resumed.history.map(\.trainLoss), uninterrupted.history.map(\.trainLoss))
        XCTAssertEqual(resumed.history.map(\.testTop1), uninterrupted.history.map(\.testTop1))
        let lastWeights = try ModelZoo.make("resnet8", classes: 2, inChannels: 1)
        try lastWeights.loadWeights(contentsOf: directory + "/last.safetensors")
        XCTAssertEqual(bits(lastWeights), bits(model))
    }
}
