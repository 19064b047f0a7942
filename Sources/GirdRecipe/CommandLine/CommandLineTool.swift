import Foundation
import GirdInterrupt
import GirdNN
import GirdTensor
import GirdView
import GirdSuggestions

/// `gird-repl`'s command line, as a function the tests can call: flags in,
/// exit status out (0 success, 1 a recipe error, 2 bad command-line use,
/// 130 interrupted).
public enum CommandLineTool {
    public static let version = MachineFacts.toolVersion

    public static let help = """
        USAGE: gird-repl [options] [FILE.recipe [args...]]

        Runs GIRD recipes, or an interactive session to inspect tensors, features
        and relation matrices.

        OPTIONS:
          -e CODE            run CODE; print the value of a final expression
          -i FILE.recipe     run the file, then start the REPL with its bindings
          --set NAME=VALUE   override a `param` of the recipe (repeatable)
          --dry-run          resolve and check everything without training
          --allow-write DIR  let the recipe write under DIR too (repeatable); by
                             default it writes only under the current directory
          --threads N        compute threads (default: all cores; auto: the cores the
                             load average leaves free, for shared machines)
          --version          print the version and the native libraries in use
          --help             show this help

        """

    /// Where the tool reads and writes; tests pass their own.
    public struct IO {
        public var standardInput: () -> String
        public var standardInputIsTerminal: Bool
        public var output: (String) -> Void
        public var errorOutput: (String) -> Void
        /// How `show` draws on `output` (nil: summaries only), decided by
        /// the front end from its terminal: recipes never look themselves.
        public var heatmapMode: ColorMode?

        public init(standardInput: @escaping () -> String, standardInputIsTerminal: Bool,
                    output: @escaping (String) -> Void, errorOutput: @escaping (String) -> Void,
                    heatmapMode: ColorMode? = nil) {
            self.standardInput = standardInput
            self.standardInputIsTerminal = standardInputIsTerminal
            self.output = output
            self.errorOutput = errorOutput
            self.heatmapMode = heatmapMode
        }

        /// The process's own stdin, stdout and stderr.
        public static var process: IO {
            IO(standardInput: {
                String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            }, standardInputIsTerminal: isatty(0) != 0,
               output: { FileHandle.standardOutput.write(Data($0.utf8)) },
               errorOutput: { FileHandle.standardError.write(Data($0.utf8)) },
               heatmapMode: isatty(1) != 0 ? ColorSupport.detect(environment: ProcessInfo.processInfo.environment, isTerminal: true) : nil)
        }
    }

    static let options = ["-e", "-i", "--set", "--dry-run", "--allow-write", "--threads", "--version", "--help", "-h"]

    struct UsageError: Error { let message: String }

    struct Invocation {
        var code: String?
        var file: String?
        var interactiveAfter = false
        var overrides: [(name: String, value: Value)] = []
        /// `--set NAME=WORD` where WORD is no recipe literal: a string for a
        /// param whose default is a string (`--set out=runs/x`), an error
        /// for any other; decided once the recipe is read.
        var bareWords: [(name: String, text: String)] = []
        var dryRun = false
        /// `--allow-write DIR`: folders the recipe may write under, besides the current one.
        var allowedWriteDirectories: [String] = []
        var threads: Int?
        /// `--threads auto`: said on stderr, since the count decides the digits of the results.
        var threadsChosenAutomatically = false
        var recipeArguments: [String] = []
        /// Hidden `--time`: prints the time spent parsing, compiling and running (benchmarks).
        var reportsTime = false

        mutating func addOverride(_ text: String) throws {
            let (name, value, literal) = try CommandLineTool.parseOverride(text)
            if let value { overrides.append((name, value)) } else { bareWords.append((name, literal)) }
        }
    }

    static func parse(_ arguments: [String]) throws -> Invocation {
        var invocation = Invocation()
        var i = 0
        func value(for flag: String) throws -> String {
            i += 1
            guard i < arguments.count else { throw UsageError(message: "\(flag) needs a value") }
            return arguments[i]
        }
        var onlyArguments = false
        while i < arguments.count {
            let argument = arguments[i]
            // gird-repl's own flags may come before or after the file; after
            // the file, anything else (and everything after `--`) is the recipe's.
            if onlyArguments || (invocation.file != nil && !argument.hasPrefix("-")) {
                invocation.recipeArguments.append(argument)
                i += 1
                continue
            }
            if argument == "--" && invocation.file != nil {
                onlyArguments = true
                i += 1
                continue
            }
            switch argument {
            case "-e":
                guard invocation.code == nil else { throw UsageError(message: "-e given twice") }
                invocation.code = try value(for: "-e")
            case "-i":
                invocation.file = try value(for: "-i")
                invocation.interactiveAfter = true
            case "--set":
                try invocation.addOverride(try value(for: "--set"))
            case "--dry-run":
                invocation.dryRun = true
            case "--allow-write":
                invocation.allowedWriteDirectories.append(try allowedDirectory(try value(for: "--allow-write")))
            case "--time":
                invocation.reportsTime = true
            case "--threads":
                let text = try value(for: "--threads")
                if text == "auto" {
                    invocation.threads = ComputeThreads.freeCores()
                    invocation.threadsChosenAutomatically = true
                } else {
                    guard let n = Int(text), n >= 1 else {
                        throw UsageError(message: "--threads needs a positive integer or auto, got '\(text)'")
                    }
                    invocation.threads = n
                }
            default:
                if argument.hasPrefix("--set=") {
                    try invocation.addOverride(String(argument.dropFirst(6)))
                } else if argument.hasPrefix("--allow-write=") {
                    invocation.allowedWriteDirectories.append(try allowedDirectory(String(argument.dropFirst(14))))
                } else if argument.hasPrefix("-") && argument != "-" {
                    var message = "unknown option '\(argument)'"
                    if let suggestion = NameSuggestions.best(for: argument, among: options) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    throw UsageError(message: message)
                } else {
                    invocation.file = argument
                }
            }
            i += 1
        }
        if invocation.code != nil && invocation.file != nil {
            throw UsageError(message: "give a recipe file or -e CODE, not both")
        }
        return invocation
    }

    /// `--allow-write DIR`'s folder (it need not exist yet).
    static func allowedDirectory(_ text: String) throws -> String {
        guard !text.isEmpty else { throw UsageError(message: "--allow-write needs a folder, e.g. --allow-write /tmp/results") }
        return text
    }

    /// `NAME=VALUE`: VALUE a recipe literal, or a bare word kept for
    /// `resolveBareWords` (the recipe decides whether it is a string).
    static func parseOverride(_ text: String) throws -> (name: String, value: Value?, text: String) {
        guard let equals = text.firstIndex(of: "=") else {
            throw UsageError(message: "--set needs NAME=VALUE, got '\(text)'")
        }
        let name = String(text[..<equals])
        let literal = String(text[text.index(after: equals)...])
        guard Value.isPlainName(name) else { throw UsageError(message: "--set: '\(name)' is not a param name") }
        return (name, try? LiteralParser.parse(literal), literal)
    }

    static func notALiteral(_ name: String, _ text: String) -> UsageError {
        UsageError(message: "--set \(name): '\(text)' is not a recipe literal (a number, \"text\" in quotes, true, false, none, or a list or record of those)")
    }

    /// The bare words of `--set` as strings for the params of `source` whose
    /// default is a string; for any other param a bare word is still an error.
    static func resolveBareWords(_ invocation: Invocation, in source: SourceFile?) throws -> [(name: String, value: Value)] {
        guard !invocation.bareWords.isEmpty else { return [] }
        var stringParams: Set<String> = []
        if let source, let block = try? Parser.parse(source) {
            for statement in block.statements {
                if case .declaration(.param, let binding, let value) = statement.kind, case .string = value.kind {
                    stringParams.insert(binding.name)
                }
            }
        }
        return try invocation.bareWords.map { word in
            guard stringParams.contains(word.name) else { throw notALiteral(word.name, word.text) }
            return (word.name, .string(word.text))
        }
    }

    /// The interpreter of the last run, kept: tearing down a deeply nested
    /// value at exit would only risk the stack for nothing.
    nonisolated(unsafe) private static var lastInterpreter: Interpreter?

    /// The interactive REPL, which lives outside the language (GirdREPL
    /// does not know recipes, and recipes must not depend on it); gird-repl's
    /// main sets it. It continues with the given interpreter: the one that
    /// ran `-i FILE`, or a fresh one. Nil: no REPL in this build (status 2).
    nonisolated(unsafe) public static var interactiveSession: ((Interpreter) -> Int32)?

    /// Runs the command line; gives the exit status. Everything runs on the
    /// interpreter's large-stack thread, printing deep values included.
    public static func run(arguments: [String], io: IO = .process) -> Int32 {
        BigStack.run { runOnLargeStack(arguments: arguments, io: io) }
    }

    private static func runOnLargeStack(arguments: [String], io: IO) -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            io.output(help)
            return 0
        }
        if arguments.contains("--version") {
            io.output("gird-repl \(version)\n\(ComputeThreads.nativeLibraries)\n")
            return 0
        }
        if arguments.contains("--list-builtins-markdown") {
            io.output(BuiltinRegistry.markdownTable())
            return 0
        }
        var invocation: Invocation
        do {
            invocation = try parse(arguments)
            if let threads = invocation.threads { try ComputeThreads.set(threads) }
            if invocation.threadsChosenAutomatically {
                io.errorOutput("gird-repl: --threads auto: \(ComputeThreads.count) of \(ComputeThreads.defaultCount) cores\n")
            }
        } catch {
            return usageFailure(error, io: io)
        }

        let source: SourceFile
        if let code = invocation.code {
            source = SourceFile(name: "<-e>", text: code)
        } else if let path = invocation.file {
            guard let data = FileManager.default.contents(atPath: path) else {
                io.errorOutput("gird-repl: cannot read '\(path)': no such file\n")
                return 2
            }
            let directory = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
            source = SourceFile(name: path, text: String(decoding: data, as: UTF8.self), directory: directory)
        } else if !io.standardInputIsTerminal {
            source = SourceFile(name: "<stdin>", text: io.standardInput())
        } else if let session = interactiveSession {
            do { _ = try resolveBareWords(invocation, in: nil) } catch { return usageFailure(error, io: io) }
            return session(Interpreter(options: options(invocation, arguments: arguments, io: io)))
        } else {
            io.errorOutput("gird-repl: this build has no interactive REPL; run a recipe file, -e CODE, or pipe a program into stdin (see --help)\n")
            return 2
        }

        do { invocation.overrides += try resolveBareWords(invocation, in: source) } catch { return usageFailure(error, io: io) }
        let interpreter = Interpreter(options: options(invocation, arguments: arguments, io: io))
        lastInterpreter = interpreter
        Interrupt.clear()
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            if invocation.reportsTime {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                io.errorOutput("time: \(seconds) s, cpu: \(interpreter.cpuSeconds) s\n")
            }
        }
        do {
            let program = try interpreter.load(source)
            let declared = interpreter.declaredParameters
            for (name, _) in invocation.overrides where !declared.contains(name) {
                var message = "--set \(name): the recipe has no param '\(name)'"
                if let suggestion = NameSuggestions.best(for: name, among: declared) {
                    message += "; did you mean '\(suggestion)'?"
                } else if declared.isEmpty {
                    message += " (it declares none)"
                }
                io.errorOutput("gird-repl: \(message)\n")
                return 2
            }
            let value = try interpreter.execute(program)
            if invocation.code != nil, !invocation.dryRun {
                switch value {
                case .none, .unset: break
                default: io.output(value.repr + "\n")
                }
            }
            if invocation.dryRun {
                for (name, value) in interpreter.context.resolvedParameters { io.output("\(name) = \(value.repr)\n") }
            }
        } catch let error as RecipeError {
            if error.isInterrupt {
                io.errorOutput(error.message == "interrupted" ? "interrupted\n" : "interrupted: \(error.message)\n")
                // `-i`, as Python's: the session starts even after a failure,
                // with what the file bound before it (to look at what went wrong).
                return interactiveAfter(invocation, interpreter, io: io) ?? 130
            }
            io.errorOutput(error.description)
            return interactiveAfter(invocation, interpreter, io: io) ?? 1
        } catch {
            io.errorOutput("error: \(error)\n")
            return interactiveAfter(invocation, interpreter, io: io) ?? 1
        }
        return interactiveAfter(invocation, interpreter, io: io) ?? 0
    }

    /// Bad command-line use: the message on stderr, status 2.
    private static func usageFailure(_ error: Error, io: IO) -> Int32 {
        io.errorOutput("gird-repl: \((error as? UsageError)?.message ?? "\(error)")\n")
        return 2
    }

    /// After `-i FILE`: the REPL's exit status (2 when this build has none);
    /// nil without `-i`.
    private static func interactiveAfter(_ invocation: Invocation, _ interpreter: Interpreter, io: IO) -> Int32? {
        guard invocation.interactiveAfter else { return nil }
        guard let session = interactiveSession else {
            io.errorOutput("gird-repl: this build has no interactive REPL (the file ran)\n")
            return 2
        }
        return session(interpreter)
    }

    private static func options(_ invocation: Invocation, arguments: [String], io: IO) -> InterpreterOptions {
        var options = InterpreterOptions()
        options.dryRun = invocation.dryRun
        options.writePolicy = WritePolicy(allowing: invocation.allowedWriteDirectories)
        options.output = io.output
        options.heatmapMode = io.heatmapMode
        options.arguments = invocation.recipeArguments
        options.commandLine = ["gird-repl"] + arguments
        for (name, value) in invocation.overrides { options.parameterOverrides[name] = value }
        return options
    }
}
