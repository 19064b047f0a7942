import Foundation
import XCTest
import GirdData
import GirdDistill
import GirdNN
@testable import GirdRun
import GirdTensor
import GirdTrain

/// Runs from Swift alone: no module of the recipe language is imported here.
final class RunLauncherTests: XCTestCase {
    /// resnet8 → resnet8 on 256 Fashion-MNIST images, 2 epochs of 8 steps.
    static func specification(losses: [LossTermSpecification]? = nil, epochs: Int = 2,
                              learningRate: Double = 0.05) throws -> RunSpecification {
        var configuration = TrainingConfiguration(epochs: epochs, outputDirectory: "")
        configuration.batchSize = 32
        configuration.learningRate = learningRate
        configuration.schedule = .cosine
        configuration.augmentation = [.horizontalFlip(probability: 0.5)]
        configuration.seed = 3
        let model = ModelSpecification(name: "resnet8", classes: 10, inChannels: 1)
        return RunSpecification(
            student: model, teacher: losses == nil ? nil : model, losses: losses,
            data: .subset(of: .fashionMNIST(split: "train", root: nil), count: 256, seed: 0, stratified: true),
            test: .subset(of: .fashionMNIST(split: "test", root: nil), count: 64, seed: 0, stratified: true),
            configuration: configuration)
    }

    static func distillation() throws -> RunSpecification {
        try specification(losses: [LossTermSpecification(name: "ce", weight: 1),
                                   LossTermSpecification(name: "kd", weight: 0.9),
                                   LossTermSpecification(name: "gird", weight: 1, arguments: ["bank": .number(64)])])
    }

    private func temporaryDirectory(_ name: String) -> String {
        NSTemporaryDirectory() + "gird-run-\(name)-\(UUID().uuidString)"
    }

    private func launcher(stoppingAfter steps: Int? = nil) -> RunLauncher {
        let launcher = RunLauncher()
        launcher.progress = .silent
        launcher.report = { _ in }
        if let steps {
            var asked = 0
            launcher.shouldStop = { asked += 1; return asked > steps }
        }
        return launcher
    }

    private func teacher() throws -> Network {
        try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 11))
    }

    override func setUp() { try? ComputeThreads.set(1) }
    override func tearDown() { try? ComputeThreads.set(ComputeThreads.defaultCount) }

    /// Issue 14: a program that imports no language module starts a
    /// distillation, is interrupted, and resumes it to exactly the run it
    /// would have been; run.json and the teacher's weights are in the folder.
    func testADistillationStartsAndResumesFromSwift() throws {
        let specification = try Self.distillation()
        let whole = temporaryDirectory("whole"), split = temporaryDirectory("split")
        defer { for path in [whole, split] { try? FileManager.default.removeItem(atPath: path) } }
        let teacher = try teacher()
        let reference = try launcher().run(try RunRequest(specification: specification, directory: whole, teacher: teacher))

        XCTAssertThrowsError(try launcher(stoppingAfter: 11).run(
            try RunRequest(specification: specification, directory: split, teacher: teacher))) { error in
            guard case TrainingError.interrupted(let epoch, let batch, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([epoch, batch], [1, 2])
        }
        let file = try RunFile.read(from: split)
        XCTAssertEqual(file.specification, specification)
        XCTAssertEqual(file.environment?.threads, 1)
        XCTAssertEqual(file.environment?.toolVersion, MachineFacts.toolVersion)
        XCTAssertEqual(file.environment?.seed, 3)
        // GIRD's default taps, written out as the layers they named.
        XCTAssertEqual(file.taps, [RunFile.TermTaps(method: "ce", student: [], teacher: []),
                                   RunFile.TermTaps(method: "kd", student: [], teacher: []),
                                   RunFile.TermTaps(method: "gird", student: ["stem", "stage1", "stage2", "stage3"],
                                                    teacher: ["stem", "stage1", "stage2", "stage3"])])
        XCTAssertTrue(FileManager.default.fileExists(atPath: split + "/" + RunSpecification.teacherWeights))

        let resumed = try launcher().resume(directory: split)
        XCTAssertEqual(resumed.training.finalTop1, reference.training.finalTop1)
        XCTAssertEqual(resumed.training.history.map(\.trainLoss), reference.training.history.map(\.trainLoss))
        XCTAssertEqual(resumed.training.history.map(\.termLosses), reference.training.history.map(\.termLosses))
        XCTAssertEqual(Set(reference.training.history[0].termLosses.keys), ["ce", "kd", "gird_sim", "gird_evo"])
        XCTAssertEqual(FileManager.default.contents(atPath: split + "/last.safetensors"),
                       FileManager.default.contents(atPath: whole + "/last.safetensors"))
        XCTAssertEqual(try RunFile.read(from: split).resumes.count, 1)
    }

    /// A run resumed where the method's default taps would now name other
    /// layers (here: run.json edited as an older default would have left
    /// it) is refused by name instead of changing layers halfway.
    func testResumeRefusesLayersOtherThanTheRunStartedWith() throws {
        let directory = temporaryDirectory("taps")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        XCTAssertThrowsError(try launcher(stoppingAfter: 3).run(
            try RunRequest(specification: try Self.distillation(), directory: directory, teacher: try teacher())))
        var file = try RunFile.read(from: directory)
        file.taps?[2].student = ["stage1", "stage2", "stage3"]
        try file.write(to: directory)
        XCTAssertThrowsError(try launcher().resume(directory: directory)) { error in
            XCTAssertEqual("\(error)", "\(directory) was trained with gird reading student stage1, stage2, stage3; "
                + "teacher stem, stage1, stage2, stage3, and today's default would read student stem, stage1, stage2, stage3; "
                + "teacher stem, stage1, stage2, stage3; resume it with the toolkit version that started it, or start a new run")
        }
    }

    /// Issue 15: the student given to `resume` is the one trained (the model
    /// object of the session that started the run), so it holds the final weights.
    func testResumeTrainsTheGivenStudentInPlace() throws {
        let specification = try Self.specification()
        let directory = temporaryDirectory("in-place")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let student = try specification.student.make()
        XCTAssertThrowsError(try launcher(stoppingAfter: 3).run(
            try RunRequest(specification: specification, directory: directory, student: student)))
        let result = try launcher().resume(directory: directory, student: student)
        XCTAssertTrue(result.student === student)
        XCTAssertEqual(student.stateDictionary(prefix: "").filter { $0.1.dtype == .float32 }.map { $0.1.toArray() },
                       try load(directory + "/last.safetensors", into: specification))
        XCTAssertThrowsError(try launcher().resume(
            directory: directory, student: try ModelZoo.make("resnet20", classes: 10, inChannels: 1))) { error in
            XCTAssertEqual("\(error)", "\(directory)/run.json: not a run description: the run trains a resnet8 of 10 classes, "
                + "not the resnet20 of 10 classes given")
        }
    }

    private func load(_ path: String, into specification: RunSpecification) throws -> [[Float]] {
        let network = try specification.student.make()
        try network.loadWeights(contentsOf: path)
        return network.stateDictionary(prefix: "").filter { $0.1.dtype == .float32 }.map { $0.1.toArray() }
    }

    func testReuseTrainsAFinishedRunOnceAndRefusesAnotherRun() throws {
        let specification = try Self.specification(epochs: 1)
        let directory = temporaryDirectory("reuse")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try launcher().run(try RunRequest(specification: specification, directory: directory, reuse: true))
        XCTAssertFalse(first.reused)
        let again = try launcher().run(try RunRequest(specification: specification, directory: directory, reuse: true))
        XCTAssertTrue(again.reused)
        XCTAssertEqual(again.training.history, first.training.history)

        let other = try Self.specification(epochs: 1, learningRate: 0.1)
        XCTAssertThrowsError(try launcher().run(try RunRequest(specification: other, directory: directory, reuse: true))) { error in
            XCTAssertEqual("\(error)", "\(directory) holds a different run (run.json differs in: learningRate); "
                + "give another out: or delete that folder")
        }
        XCTAssertThrowsError(try RunRequest(specification: specification, directory: directory, reuse: true).reuseCheck())
    }

    /// A run directory written before run.json recorded every argument
    /// (format 1, by the previous release; `Fixtures/README.md`) still
    /// resumes. The previous release's own resume of it gave train losses
    /// 2.239760309457779 and 2.1147525012493134 and a final top-1 of
    /// 0.265625 (release build, 1 thread); the release `gird-repl` of this
    /// one gives exactly those. A debug build's kernels round differently
    /// (whole-module optimisation changes the order of some sums), hence the
    /// tolerance here: far below what a lost bank or schedule would change.
    func testARunWrittenByTheFirstFormatStillResumes() throws {
        let directory = temporaryDirectory("v1")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: RunFileTests.fixture, toPath: directory)
        let stored = try JSONDecoder().decode(EpochRecord.self, from: Data(
            try XCTUnwrap(String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").first).utf8))
        let result = try launcher().resume(directory: directory)
        XCTAssertEqual(result.training.history.count, 3)
        XCTAssertEqual(result.training.history[0], stored)
        XCTAssertEqual(result.training.history[1].trainLoss, 2.239760309457779, accuracy: 1e-3)
        XCTAssertEqual(result.training.history[2].trainLoss, 2.1147525012493134, accuracy: 1e-3)
        XCTAssertEqual(result.training.history[2].learningRate, 0.012500000186264515)
        let file = try RunFile.read(from: directory)
        XCTAssertNil(file.environment)
        XCTAssertEqual(file.resumes.count, 1)
    }

    /// Issue 14: sizes a user sets are bounded where they are read.
    func testSizesBeyondTheMachineAreRefusedByName() throws {
        XCTAssertThrowsError(try LossTermSpecification(name: "gird", weight: 1, arguments: ["bank": .number(1e13)]).makeTerm()) { error in
            XCTAssertEqual("\(error)", "gird: the bank size K must be at most 2147483647 (matrix sizes are 32-bit ints in OpenBLAS), got 10000000000000")
        }
        XCTAssertThrowsError(try LossTermSpecification(name: "crd", weight: 1, arguments: ["nce_k": .number(-5)])) { error in
            XCTAssertEqual("\(error)", "crd: nce_k must be a whole number from 1 to 2147483647 (matrix sizes are 32-bit ints in OpenBLAS and oneDNN), got -5")
        }
        // Within 32 bits but beyond memory: refused when the layers' widths are known (before training).
        let huge = try Self.specification(losses: [LossTermSpecification(name: "gird", weight: 1, arguments: ["bank": .number(2e9)])])
        let directory = temporaryDirectory("huge")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        XCTAssertThrowsError(try launcher().check(try RunRequest(specification: huge, directory: directory, teacher: teacher()))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("gird: a memory bank of K = 2000000000 images (256 floats each, over every tapped layer of both networks) needs 1.9 TiB, more than this machine's "), message)
        }
        let crd = try Self.specification(losses: [LossTermSpecification(name: "crd", weight: 1,
                                                                        arguments: ["feat_dim": .number(2_000_000_000)])])
        XCTAssertThrowsError(try launcher().check(try RunRequest(specification: crd, directory: directory, teacher: teacher()))) { error in
            XCTAssertTrue("\(error)".hasPrefix("crd: memories of 256 images x feat_dim 2000000000 needs 3.7 TiB, more than this machine's "),
                          "\(error)")
        }
        var batch = try Self.specification()
        batch.batchSize = 1 << 40
        XCTAssertThrowsError(try launcher().check(try RunRequest(specification: batch, directory: directory))) { error in
            XCTAssertEqual("\(error)", "invalid training configuration: the batch size must be at most 2147483647 "
                + "(oneDNN and OpenBLAS take sizes as 32-bit ints), got 1099511627776")
        }
    }
}

extension RunRequest {
    /// Reuse's decision alone (no training): throws when the directory holds another run.
    func reuseCheck() throws {
        var other = specification
        other.seed += 1
        _ = try RunReuse.decide(directory: directory, specification: other, teacher: teacher)
    }
}
