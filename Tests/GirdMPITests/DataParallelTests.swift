import Foundation
import GirdTensor
import XCTest

/// Data-parallel training (issue 17) with real `mpirun` processes: the
/// engine alone through the `gird-mpi-probe` fixture, and recipes through
/// `gird-repl`.
final class DataParallelTests: XCTestCase {
    /// After 2 epochs every rank holds the same weights and the same state
    /// of the method: GIRD's bank, and CRD's memory (a row per training
    /// image, its Z, and the state of the generator of its negatives).
    func testEveryRankEndsWithTheSameWeightsAndMethodState() throws {
        for (option, state) in [("--gird", "GIRD banks (64 rows)"), ("--crd", "CRD memories (100 rows)")] {
            let directory = try temporaryDirectory()
            let result = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/run", option, "--epochs", "2"])
            XCTAssertEqual(result.status, 0, result.errors)
            XCTAssertTrue(result.output.contains("weights identical on 2 ranks"), result.output + result.errors)
            XCTAssertTrue(result.output.contains("\(state) identical on 2 ranks"), result.output + result.errors)
        }
    }

    /// With sync_bn, CRD on 2 ranks computes what one process does: the
    /// same negatives (drawn for the global batch on every rank), Z from
    /// the global batch, every rank's rows in the memory update. At lr 0.001:
    /// the two sum a batch's gradients in another order, and a few steps
    /// amplify that rounding by the rate. Measured with one thread a process,
    /// 4 steps: AVX2 3e-7 apart at lr 0.01 (2e-4 at 0.1); AVX-512 1.2e-7 at
    /// 0.001 but 4e-4 at 0.01. Z (~1e3) is compared relative to its size.
    func testCRDOnTwoRanksEqualsOneProcess() throws {
        let directory = try temporaryDirectory()
        let alone = try MPIJob.run(ranks: nil, ["gird-mpi-probe", directory + "/one", "--crd", "--sync-bn", "--lr", "0.001"])
        XCTAssertEqual(alone.status, 0, alone.errors)
        let two = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/two", "--crd", "--sync-bn", "--lr", "0.001"])
        XCTAssertEqual(two.status, 0, two.errors)
        for file in ["last.safetensors", "checkpoint.safetensors"] {
            let one = try SafeTensors.load(contentsOf: directory + "/one/" + file)
            let other = try SafeTensors.load(contentsOf: directory + "/two/" + file)
            XCTAssertEqual(Set(one.keys), Set(other.keys), file)
            var worst = (name: "", difference: Float(0))
            // The weights, and the checkpoint's CRD state (its momentum
            // buffers hold gradients, known only to ~1e-5 relative).
            for (name, tensor) in one where tensor.dtype == .float32 && (file == "last.safetensors" || name.hasPrefix("state.")) {
                for (a, b) in zip(tensor.toArray(), other[name]!.toArray()) where abs(a - b) / max(1, abs(a)) > worst.difference {
                    worst = (name, abs(a - b) / max(1, abs(a)))
                }
            }
            XCTAssertLessThanOrEqual(worst.difference, 1e-5, "largest difference in \(file): \(worst.name)")
            if file == "checkpoint.safetensors" {
                let memories = one.keys.filter { $0.contains("memory_student") || $0.contains("memory_teacher") }
                XCTAssertEqual(memories.count, 2, "\(one.keys.sorted())")
                let generator = one.keys.filter { $0.hasSuffix("generator") && $0.contains("crd") }
                for name in generator { XCTAssertEqual(one[name]!.toIndices(), other[name]!.toIndices(), name) }
            }
        }
    }

    /// Rank 0 alone asks to stop (as a Ctrl-C seen first there): both ranks
    /// stop at the same step, rank 0 writes the checkpoint, and a resume on
    /// 2 ranks ends with the uninterrupted run's bytes.
    func testAStopSeenByOneRankStopsAllAndTheResumeIsBitExact() throws {
        let directory = try temporaryDirectory()
        let whole = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/whole", "--gird", "--epochs", "2"])
        XCTAssertEqual(whole.status, 0, whole.errors)
        let stopped = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/parts", "--gird", "--epochs", "2",
                                                "--stop-after", "2"])
        XCTAssertEqual(stopped.status, 0, stopped.errors)
        XCTAssertTrue(stopped.output.contains("stopped at epoch 0 batch 2"), stopped.output)
        XCTAssertTrue(stopped.output.contains("weights identical on 2 ranks"), stopped.output)
        let resumed = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/parts", "--gird", "--epochs", "2", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.errors)
        XCTAssertTrue(resumed.output.contains("GIRD banks (64 rows) identical on 2 ranks"), resumed.output)
        let expected = try Data(contentsOf: URL(fileURLWithPath: directory + "/whole/last.safetensors"))
        let got = try Data(contentsOf: URL(fileURLWithPath: directory + "/parts/last.safetensors"))
        XCTAssertEqual(expected, got)
    }

    /// With sync_bn, 2 ranks compute what one process does on the same
    /// global batches (one process runs batch norm through the same
    /// formula; oneDNN's own sums differ from it by ~1e-4 of a mean).
    /// 4 steps of 32 + 32 + 32 + 4 images at lr 0.001 (the rate as in the
    /// CRD test above: on AVX-512, one thread a process, the two runs are
    /// 4.5e-7 apart at 0.001, 4e-6 at 0.01 and 1e-3 at 0.1). A rank that
    /// normalised its own images alone would be off at once: its running
    /// statistics by ~1e-2, its weights by the rate times that.
    func testSynchronizedBatchNormOnTwoRanksEqualsOneProcess() throws {
        let directory = try temporaryDirectory()
        let alone = try MPIJob.run(ranks: nil, ["gird-mpi-probe", directory + "/one", "--sync-bn", "--lr", "0.001"])
        XCTAssertEqual(alone.status, 0, alone.errors)
        let two = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/two", "--sync-bn", "--lr", "0.001"])
        XCTAssertEqual(two.status, 0, two.errors)
        let one = try SafeTensors.load(contentsOf: directory + "/one/last.safetensors")
        let other = try SafeTensors.load(contentsOf: directory + "/two/last.safetensors")
        XCTAssertEqual(Set(one.keys), Set(other.keys))
        var worst = (name: "", difference: Float(0))
        for (name, tensor) in one where tensor.dtype == .float32 {
            for (a, b) in zip(tensor.toArray(), other[name]!.toArray()) where abs(a - b) > worst.difference {
                worst = (name, abs(a - b))
            }
        }
        XCTAssertLessThanOrEqual(worst.difference, 1e-5, "largest difference in \(worst.name)")
        // Without sync_bn each rank normalises its 16 images alone: another run.
        // Measured: conv1.weight 1.8e-4 apart, running variances 2.4e-2.
        let perRank = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/per-rank", "--lr", "0.001"])
        XCTAssertEqual(perRank.status, 0, perRank.errors)
        let unsynchronized = try SafeTensors.load(contentsOf: directory + "/per-rank/last.safetensors")
        XCTAssertGreaterThan(zip(one["conv1.weight"]!.toArray(), unsynchronized["conv1.weight"]!.toArray())
            .map { abs($0 - $1) }.max()!, 5e-5)
        XCTAssertGreaterThan(zip(one["layer3.0.bn1.running_var"]!.toArray(), unsynchronized["layer3.0.bn1.running_var"]!.toArray())
            .map { abs($0 - $1) }.max()!, 5e-3)
    }

    func testARankThatFailsEndsTheJobWithItsMessage() throws {
        let directory = try temporaryDirectory()
        let result = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/run", "--fail-on-rank", "1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("error: rank 1 of 2: probe: this rank fails on purpose"), result.errors)
    }

    func testARecipeRunsUnchangedOnTwoRanksAndRankZeroAloneWritesAndPrints() throws {
        let directory = try temporaryDirectory()
        let recipe = directory + "/tiny.recipe"
        try """
            let data = fashion_mnist(split: "train").subset(256, seed: 0)
            let test = fashion_mnist(split: "test").subset(200, seed: 0)
            let m = model("resnet8", classes: 10, in_channels: 1)
            let run = train(m, data: data, test: test, epochs: 1, batch_size: 64, seed: 1, out: "\(directory)/run")
            print("final \\(run.final_top1)")
            """.write(toFile: recipe, atomically: true, encoding: .utf8)
        let result = try MPIJob.run(ranks: 2, ["gird-repl", "--threads", "1", "--allow-write", directory, recipe])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output.components(separatedBy: "final ").count - 1, 1, result.output)
        let runFile = try String(contentsOfFile: directory + "/run/run.json", encoding: .utf8)
        XCTAssertTrue(runFile.contains("\"ranks\" : 2"), runFile)
        XCTAssertEqual(result.errors.components(separatedBy: "epoch 1/1").count - 1, 1, result.errors)

        // Resuming on another number of ranks is refused, by name.
        let alone = try MPIJob.run(ranks: nil, ["gird-repl", "--allow-write", directory, "-e", "resume(\"\(directory)/run\")"])
        XCTAssertNotEqual(alone.status, 0)
        XCTAssertTrue(alone.errors.contains("\(directory)/run was trained on 2 ranks and this job has 1"), alone.errors)
    }

    func testRanksStartedWithDifferentRecipesRefuseToStart() throws {
        let directory = try temporaryDirectory()
        try "print(1)".write(toFile: directory + "/a.recipe", atomically: true, encoding: .utf8)
        try "print(2)".write(toFile: directory + "/b.recipe", atomically: true, encoding: .utf8)
        let result = try MPIJob.run(ranks: 1, ["gird-repl", directory + "/a.recipe"],
                                    more: ["gird-repl", directory + "/b.recipe"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("rank 1 was started with another command line or recipe than rank 0"), result.errors)
    }

    func testRanksWithDifferentDataRefuseToTrain() throws {
        let directory = try temporaryDirectory()
        let result = try MPIJob.run(ranks: 2, ["gird-mpi-probe", directory + "/run", "--data-differs-by-rank"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains(
            "rank 1 loaded other data than rank 0 for 'probe' (100 images here); every rank must read the same files"), result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/run/checkpoint.safetensors"))
    }

    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "gird-mpi-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
