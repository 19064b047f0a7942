import Foundation
import XCTest
import GirdInterrupt
@testable import GirdRecipe

/// What `train`, `distill` and `resume` add over the engine's runs: the
/// record, the session's model objects, validation sets, names as users type them.
final class RunBindingTests: XCTestCase {
    private func folder(_ name: String) -> String {
        NSTemporaryDirectory() + "gird-binding-\(name)-\(UUID().uuidString)"
    }

    /// Issue 15: after Ctrl-C in `distill(student: m, ...)` and `resume(dir)`
    /// in the same session, `m` holds the final weights, and the record's
    /// `model` is `m` itself.
    func testResumeInTheSessionTrainsTheSameModelObject() throws {
        let out = folder("session")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = InterpreterOptions()
        options.output = { _ in }
        options.writePolicy = WritePolicy(allowing: [NSTemporaryDirectory()])
        let interpreter = Interpreter(options: options)
        func entry(_ text: String) throws -> Value { try interpreter.runEntry(SourceFile(name: "<repl>", text: text)) }
        _ = try entry("""
            seed(2)
            let data = fashion_mnist(split: "test").subset(64, seed: 1)
            let m = model("resnet8", classes: 10, in_channels: 1)
            let before = evaluate(m, data).top1
            """)
        Interrupt.request()
        XCTAssertThrowsError(try entry("""
            distill(teacher: model("resnet8", classes: 10, in_channels: 1), student: m, data: data,
                    losses: [ce(), kd()], epochs: 2, batch_size: 16, out: \(Value.quote(out)))
            """))
        Interrupt.clear()
        XCTAssertEqual(try entry("""
            let r = resume(\(Value.quote(out)))
            [r.model == m, evaluate(m, data).top1 == r.final_top1, r.selected_on, len(r.history)]
            """).repr, "[true, true, \"last\", 2]")
    }

    /// A fresh process (no session model) gets the model in the record too.
    func testResumeInAFreshSessionGivesTheModel() throws {
        let out = folder("fresh")
        defer { try? FileManager.default.removeItem(atPath: out) }
        Interrupt.request()
        XCTAssertThrowsError(try runRecipe("""
            train(model("resnet8", classes: 10, in_channels: 1), fashion_mnist(split: "test").subset(32, seed: 1),
                  epochs: 1, batch_size: 16, out: \(Value.quote(out)))
            """))
        Interrupt.clear()
        XCTAssertEqual(evaluate("""
            let r = resume(\(Value.quote(out)))
            [r.model.name, evaluate(r.model, fashion_mnist(split: "test").subset(32, seed: 1)).top1 == r.final_top1]
            """), "[\"resnet8\", true]")
    }

    /// Issue 15: `val:` chooses best.safetensors; the test set never does.
    func testValidationChoosesTheKeptEpoch() throws {
        let out = folder("val")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let value = evaluate("""
            let parts = fashion_mnist().subset(96, seed: 1).split(32, seed: 2)
            let r = train(model("resnet8", classes: 10, in_channels: 1), parts[1], val: parts[0],
                          test: fashion_mnist(split: "test").subset(32, seed: 1), epochs: 2, batch_size: 32,
                          optimizer: "adamw", lr: 0.001, out: \(Value.quote(out)))
            [r.selected_on, r.best_top1 == r.history[r.best_epoch].test_top1, r.history[0].val_top1 >= 0]
            """)
        XCTAssertEqual(value, "[\"val\", true, true]")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/best.safetensors"))
        let runFile = try String(contentsOfFile: out + "/run.json", encoding: .utf8)
        XCTAssertTrue(runFile.contains("\"val\" : {"), runFile)
        XCTAssertTrue(runFile.contains("\"optimizer\" : \"adamW\""), runFile)
    }

    /// Issue 15: a run that diverges at the end of an epoch stops with the
    /// trainer's message at the call; it used to crash encoding a NaN metric.
    func testADivergingRunIsARecipeError() throws {
        let out = folder("nan")
        defer { try? FileManager.default.removeItem(atPath: out) }
        XCTAssertThrowsError(try runRecipe("""
            let s = model("resnet8", classes: 10, in_channels: 1)
            train(s, fashion_mnist().subset(256), test: fashion_mnist(split: "test").subset(200), epochs: 2,
                  lr: 1000000.0, out: \(Value.quote(out)))
            """)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("error: training stopped: the loss is not finite (NaN or infinite) "), message)
        }
    }

    /// Issue 15: a run directory is a write like any other: outside the
    /// current directory only with --allow-write.
    func testRunDirectoriesFollowTheWritePolicy() {
        let out = folder("refused")
        XCTAssertThrowsError(try runRecipe("""
            train(model("resnet8", classes: 10, in_channels: 1), fashion_mnist(split: "test").subset(8), epochs: 1,
                  out: \(Value.quote(out)))
            """, configure: { $0.writePolicy = WritePolicy() })) { error in
            XCTAssertTrue("\(error)".contains("error: train(): refusing to write '\(out)': it is outside the current directory; "
                + "run gird-repl with --allow-write DIR to allow it"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testUnknownOptimizerSuggests() {
        XCTAssertThrowsError(try runRecipe("""
            train(model("resnet8", classes: 10, in_channels: 1), fashion_mnist(split: "test").subset(8), epochs: 1, optimizer: "adan")
            """)) { error in
            XCTAssertTrue("\(error)".contains("error: train(): optimizer must be \"sgd\", \"adam\" or \"adamW\", got \"adan\"; did you mean \"adam\"?"), "\(error)")
        }
    }

    func testANegativeLogEveryIsRefused() {
        XCTAssertThrowsError(try runRecipe("""
            train(model("resnet8", classes: 10, in_channels: 1), fashion_mnist(split: "test").subset(8), epochs: 1, log_every: -1)
            """)) { error in
            XCTAssertTrue("\(error)".contains("error: train(): log_every must be zero (epochs only) or more, got -1"), "\(error)")
        }
    }

    /// The history gives each term's share by name (GIRD in its two parts)
    /// and the training accuracy; the run directory has TensorBoard's file
    /// only when asked.
    func testTheHistoryHasEachTermAndTheEventsFollowTheSwitch() throws {
        let out = folder("terms"), quiet = folder("quiet")
        defer { for path in [out, quiet] { try? FileManager.default.removeItem(atPath: path) } }
        let setup = """
            let data = fashion_mnist(split: "test").subset(32, seed: 1)
            let t = model("resnet8", classes: 10, in_channels: 1)
            """
        XCTAssertEqual(evaluate(setup + """

            let r = distill(teacher: t, student: model("resnet8", classes: 10, in_channels: 1), data: data,
                            losses: [ce(), gird(bank: 16)], epochs: 1, batch_size: 16, out: \(Value.quote(out)))
            let e = r.history[0]
            [keys(e.losses), abs(e.losses.ce + e.losses.gird_sim + e.losses.gird_evo - e.train_loss) < 1e-5,
             e.train_top1 >= 0 and e.train_top1 <= e.train_top5]
            """), "[[\"ce\", \"gird_evo\", \"gird_sim\"], true, true]")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("events.out.tfevents.") }.count, 1)
        _ = evaluate(setup + """

            train(t, data, epochs: 1, batch_size: 16, tensorboard: false, out: \(Value.quote(quiet)))
            """)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: quiet).filter { $0.hasPrefix("events.out.tfevents.") }, [])
    }
}
