import Foundation
import XCTest

/// Runs a built executable of this package under `mpirun` (or alone, with
/// `ranks: nil`) and collects its output. A job that has not ended within
/// `timeout` seconds is killed and fails the test: data-parallel code must
/// never hang.
enum MPIJob {
    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(ranks: Int?, _ command: [String], more: [String]? = nil, timeout: TimeInterval = 300) throws -> Result {
        let process = Process()
        var arguments: [String] = []
        if let ranks {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
            // CI runs as root; --oversubscribe: more ranks than cores is fine for tests.
            arguments = (getuid() == 0 ? ["--allow-run-as-root"] : []) + ["--oversubscribe", "-np", String(ranks)]
            arguments += [try executable(command[0])] + command.dropFirst()
            if let more { arguments += [":", "-np", "1", try executable(more[0])] + more.dropFirst() }
        } else {
            process.executableURL = URL(fileURLWithPath: try executable(command[0]))
            arguments = Array(command.dropFirst())
        }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        // Containers often forbid the cross-memory attach Open MPI tries first.
        environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        environment["OMP_NUM_THREADS"] = "1"
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Both pipes are drained while the job runs, so that a full pipe never blocks it.
        let collected = Collected()
        let reading = DispatchGroup()
        for (pipe, isOutput) in [(output, true), (errors, false)] {
            reading.enter()
            DispatchQueue.global().async {
                collected.set(pipe.fileHandleForReading.readDataToEndOfFile(), output: isOutput)
                reading.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            XCTFail("\(command.joined(separator: " ")) did not end within \(Int(timeout)) s")
        }
        process.waitUntilExit()
        reading.wait()
        return Result(status: process.terminationStatus, output: String(decoding: collected.output, as: UTF8.self),
                      errors: String(decoding: collected.errors, as: UTF8.self))
    }

    static func executable(_ name: String) throws -> String {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folders = [
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            packageRoot.appendingPathComponent(".build/debug"),
        ]
        guard let path = folders.map({ $0.appendingPathComponent(name).path })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name + " (built with the tests)"])
        }
        return path
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var output = Data(), errors = Data()

    func set(_ data: Data, output isOutput: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isOutput { output = data } else { errors = data }
    }
}
