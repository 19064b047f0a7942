import Foundation
import XCTest

/// Fault injection (issue 21): a real training run, started by `gird-repl`,
/// killed with SIGKILL at random moments (inside a step, while a
/// checkpoint, the weights or the metrics are being written), then run
/// again with `reuse: true` until it finishes. Every time, the run
/// directory must read, and the finished run must end with exactly the
/// weights and metrics of a run never killed (1 thread).
final class KillAndResumeTests: XCTestCase {
    static let recipe = """
        seed(0)
        let data = fashion_mnist(split: "test").subset(96, seed: 1)
        let r = train(model("resnet8", classes: 10, in_channels: 1), data, epochs: 3, batch_size: 16,
                      out: args()[0], reuse: true, log_every: 1)
        print("final \\(r.final_top1)")
        """

    struct Outcome {
        var status: Int32
        var output: String
    }

    /// Runs the recipe on `directory`; with `killAfter`, SIGKILLs it then.
    func run(_ directory: String, recipe: String, killAfter seconds: Double? = nil) throws -> Outcome {
        let executable = try XCTUnwrap(TestProgram.executable(named: "gird-repl"), "gird-repl is not built")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--threads", "1", "--allow-write", directory, recipe, directory]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        if let seconds {
            Thread.sleep(forTimeInterval: seconds)
            kill(process.processIdentifier, SIGKILL)
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: text)
    }

    func testARunKilledAtRandomMomentsResumesToTheSameResult() throws {
        let folder = NSTemporaryDirectory() + "gird-kill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let recipe = folder + "/run.recipe"
        try Self.recipe.write(toFile: recipe, atomically: true, encoding: .utf8)

        let started = Date()
        let reference = try run(folder + "/reference", recipe: recipe)
        XCTAssertEqual(reference.status, 0, reference.output)
        let duration = Date().timeIntervalSince(started)
        let expectedWeights = try Data(contentsOf: URL(fileURLWithPath: folder + "/reference/last.safetensors"))
        let expectedMetrics = try String(contentsOfFile: folder + "/reference/metrics.jsonl", encoding: .utf8)
            .split(separator: "\n").map(Self.withoutSeconds)

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for trial in 0..<6 {
            let directory = folder + "/trial\(trial)"
            // Killed up to three times, each at a random moment of what is left.
            for _ in 0..<3 {
                let outcome = try run(directory, recipe: recipe, killAfter: Double.random(in: 0.05...duration, using: &generator))
                if outcome.status == 0 { break }  // finished before the kill
                kills += 1
                // Whatever the moment, the directory still reads.
                if FileManager.default.fileExists(atPath: directory + "/metrics.jsonl") {
                    let lines = try String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
                    for line in lines { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)), "trial \(trial)") }
                }
            }
            let finished = try run(directory, recipe: recipe)
            XCTAssertEqual(finished.status, 0, "trial \(trial): \(finished.output)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory + "/last.safetensors")), expectedWeights,
                           "trial \(trial): other weights than the run never killed")
            let metrics = try String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8)
                .split(separator: "\n").map(Self.withoutSeconds)
            XCTAssertEqual(metrics, expectedMetrics, "trial \(trial)")
        }
        print("kill-and-resume: \(kills) kills over 6 trials of a \(String(format: "%.1f", duration)) s run")
        XCTAssertGreaterThan(kills, 3, "the kills should land inside the runs")
    }

    /// A metrics line without its wall time, which differs from run to run.
    static func withoutSeconds(_ line: Substring) -> String {
        line.replacingOccurrences(of: #""seconds":[0-9.e+-]+,?"#, with: "", options: .regularExpression)
    }
}
