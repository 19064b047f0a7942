import Foundation
import GirdTensor

/// Where and with what a run (or one resumed part of it) ran: what its
/// last digits depend on besides the specification. A figure is
/// deterministic for one machine kind and thread count; this says which.
/// Not part of what makes two runs "the same" for `reuse`.
public struct RunEnvironment: Codable, Equatable, Sendable {
    public var toolVersion: String
    /// The toolkit's git commit when it runs from a checkout (with "-dirty"
    /// when the checkout has uncommitted changes), else nil.
    public var gitCommit: String?
    public var threads: Int
    public var cpuModel: String
    public var oneDNNInstructionSet: String
    public var openBLASKernel: String
    public var nativeLibraries: String
    public var seed: UInt64
    /// When this part started, ISO 8601.
    public var started: String
    /// The MPI ranks it ran on (nil in files written before data-parallel
    /// training existed, which ran on one).
    public var ranks: Int?
    /// The engine's activation layout ("blocked", "channels-last"): it
    /// picks the kernels and the order of sums (nil in older files).
    public var activationLayout: String?

    enum CodingKeys: String, CodingKey {
        case toolVersion = "tool_version", gitCommit = "git_commit", threads, cpuModel = "cpu_model"
        case oneDNNInstructionSet = "onednn_isa", openBLASKernel = "openblas_kernel", nativeLibraries = "native_libraries"
        case seed, started, ranks, activationLayout = "activation_layout"
    }

    /// This process's environment, now.
    public static func current(seed: UInt64, ranks: Int = ProcessGroups.world.size) -> RunEnvironment {
        RunEnvironment(toolVersion: MachineFacts.toolVersion, gitCommit: toolkitCommit, threads: MachineFacts.threads,
                       cpuModel: MachineFacts.cpuModel, oneDNNInstructionSet: MachineFacts.oneDNNInstructionSet,
                       openBLASKernel: MachineFacts.openBLASKernel, nativeLibraries: MachineFacts.nativeLibraries,
                       seed: seed, started: ISO8601DateFormatter().string(from: Date()), ranks: ranks,
                       activationLayout: ActivationLayout.preferred.rawValue)
    }

    /// The commit of the checkout the running executable was built in
    /// (`.build/release/gird-repl` sits inside it), asked of git once.
    static let toolkitCommit: String? = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        guard let commit = git(["rev-parse", "HEAD"], in: executable), commit.count == 40 else { return nil }
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: executable) ?? ""
        return status.isEmpty ? commit : commit + "-dirty"
    }()

    private static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
