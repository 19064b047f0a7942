import Foundation
import GirdInterrupt
import GirdTensor
import GirdView

/// How an interpreter runs.
public struct InterpreterOptions {
    /// Stop with an error after this many steps (loop iterations and calls);
    /// nil: no limit. Tests and fuzzing set it so that `while true {}` ends.
    public var stepLimit: Int?
    /// Recipe call depth beyond which a call is an error, not a stack overflow.
    public var maximumCallDepth = 10_000
    /// `--dry-run`: builtins that would train only check their arguments.
    public var dryRun = false
    /// `--set NAME=VALUE`: values that replace params' defaults.
    public var parameterOverrides: [String: Value] = [:]
    /// Where `print` writes (stdout by default).
    public var output: (String) -> Void = { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }
    /// Folders searched for `import` after the importing file's own: the
    /// project's `stdlib/` (found next to `Package.swift`).
    public var libraryDirectories: [String] = StandardLibrary.defaultDirectories()
    /// The command-line arguments after the recipe file (`args()`).
    public var arguments: [String] = []
    /// The whole command line that started the session, program name first
    /// (a run directory records it).
    public var commandLine: [String] = []
    /// How `show` and `relations` draw after their summary lines: nil (a
    /// pipe, a file, tests) for the summaries alone. The front end decides
    /// from its terminal and environment; recipes never read either.
    public var heatmapMode: ColorMode?
    /// The width of the terminal the views are drawn on.
    public var displayColumns = 80
    /// Where builtins may write files: under the current directory, and
    /// under the folders `--allow-write` adds (`WritePolicy`).
    public var writePolicy = WritePolicy()

    public init() {}
}

/// The state of one interpreter that builtins can see: options, the random
/// generator `seed(n)` resets, the dry-run flag, and counters the evaluator
/// keeps (steps, call depth).
public final class InterpreterContext {
    public var options: InterpreterOptions
    /// The generator `rand`, `randn` and model initialisation draw from.
    public var generator = RandomGenerator(seed: 0)
    /// `--dry-run`: training builtins check their arguments and return without training.
    public var isDryRun: Bool { options.dryRun }
    /// The params, as resolved (overrides applied), in declaration order.
    public internal(set) var resolvedParameters: [(name: String, value: Value)] = []
    /// Objects a group of builtins keeps for the session (by key).
    public var extensions: [String: AnyObject] = [:]
    /// Every file the session loaded, the main one first, then imports in
    /// the order they were read: a run directory keeps a copy of each.
    public internal(set) var loadedSources: [(path: String, text: String)] = []
    /// The main recipe file, nil for `-e`, a pipe or the REPL.
    public var mainFile: String? {
        loadedSources.first.map(\.path).flatMap { $0.hasPrefix("<") ? nil : $0 }
    }

    let globals = GlobalSlots()
    /// The frames of the recipe calls in progress.
    let frames = FrameStack()
    var steps = 0
    private var nextCheck = 4096
    var callDepth = 0
    let maximumCallDepth: Int

    init(options: InterpreterOptions) {
        self.options = options
        self.maximumCallDepth = options.maximumCallDepth
        if let limit = options.stepLimit { nextCheck = min(nextCheck, limit) }
    }

    public func write(_ text: String) { options.output(text) }

    /// One step (a loop iteration, a call): every few thousand steps, looks
    /// for Ctrl-C and the step limit.
    @inline(__always)
    func tick(_ span: SourceSpan) throws {
        steps &+= 1
        if steps >= nextCheck { try slowCheck(span) }
    }

    /// Runs a builtin's long native work (forward passes, an evaluation)
    /// so that Ctrl-C stops it before its next kernel (`Cancellation`);
    /// training builtins are not run this way: their stop is between steps.
    func interruptible<T>(at span: SourceSpan, _ body: () throws -> T) throws -> T {
        do {
            return try Cancellation.whileRunning(stopWhen: { Interrupt.isPending }, body)
        } catch is ComputationCancelled {
            Interrupt.clear()
            throw RecipeError.interrupted(at: span)
        }
    }

    private func slowCheck(_ span: SourceSpan) throws {
        if Interrupt.isPending {
            Interrupt.clear()
            throw RecipeError.interrupted(at: span)
        }
        if let limit = options.stepLimit, steps >= limit {
            throw RecipeError("step limit reached (\(limit) steps)", at: span)
        }
        nextCheck = steps + 4096
        if let limit = options.stepLimit { nextCheck = min(nextCheck, limit) }
    }
}

/// Where `import` finds the project's `stdlib/`: a `stdlib/` folder next to a
/// `Package.swift`, searched upward from the current directory, from the
/// executable, and from this source file's location at build time. No
/// environment variable is read (recipes are hermetic).
public enum StandardLibrary {
    public static func defaultDirectories() -> [String] {
        var found: [String] = []
        var starts = [FileManager.default.currentDirectoryPath]
        starts.append(URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent().path)
        starts.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)
        for start in starts {
            if let directory = search(upwardFrom: start), !found.contains(directory) { found.append(directory) }
        }
        return found
    }

    static func search(upwardFrom start: String) -> String? {
        var url = URL(fileURLWithPath: start).standardizedFileURL
        for _ in 0..<64 {
            let stdlib = url.appendingPathComponent("stdlib")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
               FileManager.default.fileExists(atPath: stdlib.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return stdlib.path
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
        return nil
    }
}
