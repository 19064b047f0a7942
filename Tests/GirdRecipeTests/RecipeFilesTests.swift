import Foundation
import XCTest
import GirdTestImages
import GirdNN
import GirdTensor
@testable import GirdRecipe

/// Every recipe shipped in `recipes/` passes `--dry-run`: it parses, its
/// params resolve, its models, taps and loss terms are built and a probe
/// batch goes through teacher and student, its files exist. Teacher weights
/// are a freshly initialised network saved for the test; the CIFAR recipes
/// read a tiny synthetic CIFAR-100 in the binary format.
final class RecipeFilesTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "gird-recipes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func recipe(_ name: String) -> String { Self.root.appendingPathComponent("recipes/" + name).path }

    func teacherWeights(_ name: String, classes: Int, inChannels: Int) throws -> String {
        let path = folder + "/\(name).safetensors"
        try ModelZoo.make(name, classes: classes, inChannels: inChannels).saveWeights(to: path)
        return path
    }

    /// CIFAR-100's binary layout (coarse label, fine label, 3072 bytes) with
    /// `count` images per split.
    func tinyCIFAR100(count: Int) throws -> String {
        let path = folder + "/cifar-100-binary"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for split in ["train", "test"] {
            var bytes: [UInt8] = []
            for index in 0..<count {
                bytes += [UInt8(index % 20), UInt8(index % 100)]
                bytes += (0..<3072).map { UInt8(($0 * 7 + index * 13) % 256) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path + "/\(split).bin"))
        }
        return path
    }

    func dryRun(_ file: String, _ settings: [String]) -> (status: Int32, output: String, errors: String) {
        runCommandLine(["--dry-run", recipe(file)] + settings.flatMap { ["--set", $0] })
    }

    func testFashionMNISTTeacher() throws {
        let result = dryRun("fmnist/teacher.recipe", ["weights=\"\(folder)/teacher.safetensors\""])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.hasSuffix("""
            epochs = 12
            lr = 0.1
            run_seed = 0
            weights = "\(folder)/teacher.safetensors"
            out = "runs/fmnist-teacher"

            """), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/teacher.safetensors"), "a dry run writes nothing")
    }

    func testQuickstartAndStudentAlone() throws {
        let weights = try teacherWeights("resnet20", classes: 10, inChannels: 1)
        let quickstart = dryRun("fmnist/quickstart.recipe", ["teacher_weights=\"\(weights)\""])
        XCTAssertEqual(quickstart.status, 0, quickstart.errors)
        XCTAssertTrue(quickstart.output.contains("bank = 4096\n"), quickstart.output)
        let alone = dryRun("fmnist/student-alone.recipe", [])
        XCTAssertEqual(alone.status, 0, alone.errors)
    }

    func testAblation() throws {
        let weights = try teacherWeights("resnet20", classes: 10, inChannels: 1)
        let result = dryRun("fmnist/ablation.recipe", ["teacher_weights=\"\(weights)\"", "seeds_n=1"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("| K | evolution | top1 |"), result.output)
        XCTAssertTrue(result.output.contains("banks = [0, 1024, 4096, 16384]\n"), result.output)
    }

    /// The study dry-runs whole: every tuning, test and ablation run is
    /// checked, the report is composed, and neither it nor the plot is written.
    func testStudy() throws {
        let weights = try teacherWeights("resnet20", classes: 10, inChannels: 1)
        let report = folder + "/results.md", figure = folder + "/bank.png"
        let result = dryRun("fmnist/study.recipe", ["teacher_weights=\"\(weights)\"", "seeds_n=1",
                                                    "report=\"\(report)\"", "plot_file=\"\(figure)\""])
        XCTAssertEqual(result.status, 0, result.errors)
        for line in ["| method | setting | test top-1 (%) | per seed | vs alone | vs KD |",
                     "| variant | test top-1 (%) | per seed | vs the tuned GIRD | vs KD |",
                     "| gird | **chosen: beta 1, gamma 1** | 0.00 |", "![test top-1 against the bank size K](bank.png)",
                     "train_size = 5000\n", "crd_negatives = 1600\n"] {
            XCTAssertTrue(result.output.contains(line), line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: report), "a dry run writes nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: figure), "a dry run writes nothing")
    }

    func testCIFAR100Benchmarks() throws {
        let data = try tinyCIFAR100(count: 4)
        for (file, teacher) in [("cifar100/resnet32x4-resnet8x4.recipe", "resnet32x4"),
                                ("cifar100/wrn_40_2-wrn_16_2.recipe", "wrn_40_2")] {
            let weights = try teacherWeights(teacher, classes: 100, inChannels: 3)
            let result = dryRun(file, ["root=\"\(data)\"", "teacher_weights=\"\(weights)\""])
            XCTAssertEqual(result.status, 0, "\(file): \(result.errors)")
            XCTAssertTrue(result.output.contains("method = \"all\"\n"), result.output)
        }
    }

    /// Part 2 of the study dry-runs whole: 12 tuning runs, 50 test runs, the
    /// verdict, the report and the curves composed, nothing written.
    func testStudyPartTwo() throws {
        let weights = try teacherWeights("resnet20", classes: 10, inChannels: 1)
        let report = folder + "/results-20.md", figure = folder + "/curves.png", summary = folder + "/results.md"
        let result = dryRun("fmnist/study20.recipe", ["teacher_weights=\"\(weights)\"", "weak_teacher_weights=\"\(weights)\"",
                                                      "seeds_n=2", "report=\"\(report)\"", "curves_file=\"\(figure)\"", "ledger=\"\"",
                                                      "summary=\"\(summary)\""])
        XCTAssertEqual(result.status, 0, result.errors)
        for line in ["| method | teacher | setting | test top-1 (%) | per seed | vs alone | vs KD (same teacher) |",
                     "**Verdict.** At 20 epochs with the 93.68% teacher, GIRD (+KD) is level with KD: +0.00 ± 0.00 points (t = 0.00 "
                        + "on 6 degrees of freedom; 5% two-sided needs 2.45), paired over 7 seeds; its 95% interval is +0.00 to +0.00 points. "
                        + "The planned study, seeds 0–1, gave +0.00 ± 0.00 points (t = 0.00 on 1 degree of freedom; 5% two-sided needs 12.71); seeds 2–6, trained afterwards",
                     "| GIRD (+KD), seeds 2–6 | strong (93.68%) | beta 1, gamma 1 | 0.00 ± 0.00 |",
                     "| gird | **chosen: beta 1, gamma 1** | 0.00 |", "![test top-1 per epoch](curves.png)",
                     "| evolution only (beta 0) |"] {
            XCTAssertTrue(result.output.contains(line), line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: report), "a dry run writes nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: figure), "a dry run writes nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: summary), "a dry run writes nothing")
    }

    /// The study's ledger: a run it holds with the same settings is read, not
    /// trained (its figures reach the report); one with other settings
    /// stops the study with the file's name, before anything is trained.
    func testStudyPartTwoLedger() throws {
        let weights = try teacherWeights("resnet20", classes: 10, inChannels: 1)
        let ledger = folder + "/ledger"
        try FileManager.default.createDirectory(atPath: ledger + "/tune", withIntermediateDirectories: true)
        let settings = "[<loss term ce(), weight 1.0>, <loss term kd(), weight 0.5>]; teacher \(weights); seed 0; epochs 20; "
            + "train 5000; val 5000; evaluated on validation"
        let entry = ledger + "/tune/kd-x0.5.json"
        try Data(("{\"settings\": \"\(settings)\", \"final_top1\": 0.8765, \"best_top1\": 0.88, "
                  + "\"history\": [{\"epoch\": 0, \"test_top1\": 0.8765, \"train_loss\": 0.5, \"seconds\": 60.0}]}").utf8)
            .write(to: URL(fileURLWithPath: entry))
        let parameters = ["teacher_weights=\"\(weights)\"", "weak_teacher_weights=\"\(weights)\"", "seeds_n=2",
                          "report=\"\(folder)/r.md\"", "curves_file=\"\(folder)/c.png\"", "ledger=\"\(ledger)\"",
                          "summary=\"\(folder)/s.md\""]
        let result = dryRun("fmnist/study20.recipe", parameters)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("| kd | kd ×0.5 | 87.65 |"), result.output)
        XCTAssertTrue(result.output.contains("| kd | **chosen: kd ×0.5** | 87.65 |"), result.output)

        try Data(("{\"settings\": \"alone; seed 7\", \"final_top1\": 0.5, \"history\": []}").utf8)
            .write(to: URL(fileURLWithPath: entry))
        let refused = dryRun("fmnist/study20.recipe", parameters)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.errors.contains("\(entry) holds another run (alone; seed 7), not \(settings): delete it, "
                                              + "or run with --set 'ledger=\"\"'"), refused.errors)

        // Two workers share the runs: each stops where it needs the other's
        // runs that the ledger does not hold yet (here, KD's tuning: runs 1
        // and 3 are worker 1's, runs 0 and 2 worker 0's).
        try FileManager.default.removeItem(atPath: entry)
        for worker in 0..<2 {
            let waiting = dryRun("fmnist/study20.recipe", parameters + ["workers=2", "worker=\(worker)"])
            XCTAssertNotEqual(waiting.status, 0)
            XCTAssertTrue(waiting.errors.contains("assertion failed: worker \(worker) of 2: 2 run(s) of KD's tuning are another "
                                                  + "worker's and not in \(ledger) yet; run this worker again once they are"),
                          waiting.errors)
        }
    }

    /// The ImageNet recipe on a tiny folder in ILSVRC-2012's layout (3
    /// classes, 13 JPEGs): every loss term probed at 224x224 with
    /// torchvision's ResNet-34 and ResNet-18.
    func testImageNetRecipe() throws {
        let data = try TestImageFolders.imageNet(in: folder)
        let weights = try teacherWeights("tv_resnet34", classes: 1000, inChannels: 3)
        let result = dryRun("imagenet/resnet34-resnet18.recipe", ["root=\"\(data)\"", "teacher_weights=\"\(weights)\""])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("kd: final top-1"), result.output)
        XCTAssertTrue(result.output.contains("gird: final top-1"), result.output)
    }

    /// The Tiny ImageNet teacher and distillation recipes on a tiny folder
    /// in the archive's layout.
    func testTinyImageNetRecipes() throws {
        let data = try TestImageFolders.tinyImageNet(in: folder)
        let teacher = dryRun("tinyimagenet/teacher.recipe",
                             ["root=\"\(data)\"", "val_size=2", "weights=\"\(folder)/teacher.safetensors\""])
        XCTAssertEqual(teacher.status, 0, teacher.errors)
        let weights = try teacherWeights("ResNet34", classes: 200, inChannels: 3)
        let result = dryRun("tinyimagenet/resnet34-resnet18.recipe", ["root=\"\(data)\"", "teacher_weights=\"\(weights)\""])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("gird: final top-1"), result.output)
    }

    /// The VeRi-776 recipes on a tiny folder in the archive's layout (6
    /// training vehicles): the teacher from torchvision's ImageNet ResNet-50
    /// weights under the re-ID head, the student alone, and KD and GIRD.
    func testVeRi776Recipes() throws {
        let data = try TestImageFolders.veri776(in: folder)
        let imagenet = try teacherWeights("tv_resnet50", classes: 1000, inChannels: 3)
        let teacher = dryRun("veri776/teacher.recipe",
                             ["root=\"\(data)\"", "size=64", "backbone_weights=\"\(imagenet)\"", "weights=\"\(folder)/t.safetensors\""])
        XCTAssertEqual(teacher.status, 0, teacher.errors)
        XCTAssertTrue(teacher.output.contains("tv_resnet50: ImageNet backbone loaded; new: [\"neck.weight\", \"neck.bias\", \"neck.running_mean\", \"neck.running_var\", \"neck.num_batches_tracked\", \"classifier.weight\"], left out: [\"fc.bias\", \"fc.weight\"]"), teacher.output)
        XCTAssertTrue(teacher.output.contains("teacher tv_resnet50: mAP"), teacher.output)
        let alone = dryRun("veri776/student-alone.recipe", ["root=\"\(data)\"", "size=64"])
        XCTAssertEqual(alone.status, 0, alone.errors)
        let path = folder + "/veri-teacher.safetensors"
        try ModelZoo.make("tv_resnet50", classes: 6, head: .reid, lastStride: 1).saveWeights(to: path)
        let distilled = dryRun("veri776/resnet50-resnet18.recipe", ["root=\"\(data)\"", "size=64", "teacher_weights=\"\(path)\""])
        XCTAssertEqual(distilled.status, 0, distilled.errors)
        XCTAssertTrue(distilled.output.contains("kd: mAP"), distilled.output)
        XCTAssertTrue(distilled.output.contains("gird: mAP"), distilled.output)
    }

    /// A misspelt method in the benchmark recipe is caught by the dry run.
    func testDryRunCatchesAnUnknownMethod() throws {
        let data = try tinyCIFAR100(count: 2)
        let weights = try teacherWeights("resnet32x4", classes: 100, inChannels: 3)
        let result = dryRun("cifar100/resnet32x4-resnet8x4.recipe",
                            ["root=\"\(data)\"", "teacher_weights=\"\(weights)\"", "method=\"girdd\""])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("unknown distillation method 'girdd'; did you mean 'gird'?"), result.errors)
    }
}

/// The builtins table of docs/recipe-language.md is the registry's own
/// (`gird-repl --list-builtins-markdown`), so the two cannot drift.
final class BuiltinDocsTests: XCTestCase {
    func testLanguageReferenceHoldsTheGeneratedTable() throws {
        let path = RecipeFilesTests.root.appendingPathComponent("docs/recipe-language.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let begin = try XCTUnwrap(text.range(of: "(a test keeps it in step) -->\n"))
        let end = try XCTUnwrap(text.range(of: "<!-- end generated -->"))
        let documented = String(text[begin.upperBound..<end.lowerBound])
        XCTAssertEqual(documented.trimmingCharacters(in: .newlines),
                       BuiltinRegistry.markdownTable().trimmingCharacters(in: .newlines),
                       "regenerate the table: gird-repl --list-builtins-markdown")
    }
}
