import Foundation
import GirdInterrupt

/// The read-evaluate-print loop, independent of the language: it reads
/// statements (continuing unfinished ones on `... `), runs `:commands`, and
/// hands everything else to a `ReplEvaluator`.
///
/// On a terminal (standard input and output both) it edits lines with
/// `LineEditor` and keeps the history. Otherwise (a pipe, a file) it reads
/// the whole input as one program, with no prompt and no escape codes,
/// values on stdout and errors on stderr, and exits 1 at the first error
/// (130 when interrupted), as running a file does.
public final class ReplSession {
    private let evaluator: ReplEvaluator
    private let history: History
    private let programName: String

    public init(evaluator: ReplEvaluator, history: History, programName: String = "gird") {
        self.evaluator = evaluator
        self.history = history
        self.programName = programName
    }

    /// Runs until the end of input or `:quit`; returns the exit status.
    public func run() -> Int32 {
        Interrupt.install()
        if Terminal.isTerminal(STDIN_FILENO), Terminal.isTerminal(STDOUT_FILENO),
           let editor = LineEditor(programName: programName, history: history, completion: evaluator) {
            return runInteractively(editor)
        }
        return runProgram(FileHandle.standardInput.readDataToEndOfFile())
    }

    /// The whole of a piped input as one program.
    public func runProgram(_ input: Data) -> Int32 {
        let source = String(decoding: input, as: UTF8.self)
        return report(evaluator.evaluate(source: source)) ? 0 : exitStatus
    }

    private var exitStatus: Int32 = 1

    private var isInteractive = false

    private func runInteractively(_ editor: LineEditor) -> Int32 {
        isInteractive = true
        var accumulator = InputAccumulator(checker: evaluator)
        while true {
            guard let input = editor.readLine(prompt: accumulator.prompt) else {
                print("")  // leave the shell's prompt on a line of its own
                break
            }
            guard case let .line(line) = input else {
                accumulator.reset()
                continue
            }
            if accumulator.isEmpty {
                if line.allSatisfy(\.isWhitespace) { continue }
                if ReplCommand.isCommand(line) {
                    editor.remember(line)
                    if !runCommand(line) { break }
                    continue
                }
            }
            switch accumulator.add(line) {
            case .needsMore:
                continue
            case let .complete(statement), let .invalid(statement):
                editor.remember(statement)
                _ = report(evaluate(statement))
            }
        }
        do {
            try history.save()
        } catch {
            printError("\(programName): \(error)")
        }
        return 0
    }

    /// A Ctrl-C that came while no computation ran is forgotten, so it does
    /// not stop the next statement at its first safe point.
    ///
    /// While a statement runs on a terminal, the terminal's own echo is off:
    /// a line typed ahead then appears once, when the editor reads it at the
    /// next prompt, not also in the middle of the statement's output. The
    /// typed bytes stay queued (TCSANOW, not TCSAFLUSH), and Ctrl-C still
    /// signals (ISIG is untouched).
    private func evaluate(_ source: String) -> ReplOutcome {
        Interrupt.clear()
        defer { Interrupt.clear() }
        var saved = termios()
        let quiet = isInteractive && tcgetattr(STDIN_FILENO, &saved) == 0
        if quiet {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        defer { if quiet { tcsetattr(STDIN_FILENO, TCSANOW, &saved) } }
        return evaluator.evaluate(source: source)
    }

    /// Prints an outcome; false for an error or an interruption.
    @discardableResult
    private func report(_ outcome: ReplOutcome) -> Bool {
        switch outcome {
        case let .value(text):
            print(text)
            return true
        case .silent:
            return true
        case let .failure(text):
            printError(text)
            exitStatus = 1
            return false
        case let .interrupted(detail):
            // On a terminal the line discipline has echoed `^C` (and a
            // progress line may be half drawn) with no newline after it.
            printError((isInteractive ? "\n" : "") + "interrupted" + (detail.map { ": " + $0 } ?? ""))
            exitStatus = 130
            return false
        }
    }

    /// Runs a `:command`; false for `:quit`.
    private func runCommand(_ line: String) -> Bool {
        let command: ReplCommand
        do {
            command = try ReplCommand.parse(line)
        } catch {
            printError("error: \(error)")
            return true
        }
        switch command {
        case .quit:
            return false
        case let .help(topic):
            if let topic {
                print(evaluator.help(topic: topic) ?? "no help for '\(topic)'")
            } else {
                print(ReplCommand.helpText)
                if let builtins = evaluator.help(topic: nil) { print(builtins) }
            }
        case let .type(expression):
            report(evaluator.describeType(of: expression))
        case let .time(expression):
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = ReplSession.processCPUSeconds()
            let outcome = evaluate(expression)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = ReplSession.processCPUSeconds() - cpuStart
            report(outcome)
            // CPU of the whole process: the native libraries' threads count,
            // so cpu > wall means the work ran in parallel.
            print("time: wall " + ReplSession.duration(elapsed) + ", cpu " + ReplSession.duration(cpu))
        case let .load(path):
            Interrupt.clear()
            report(evaluator.load(path: path))
        case .reset:
            evaluator.reset()
            print("all bindings cleared")
        }
        return true
    }

    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// `0.42 ms`, `12.3 ms`, `1.25 s`: three significant digits.
    static func duration(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.3g ms", seconds * 1000) : String(format: "%.3g s", seconds)
    }

    private func printError(_ text: String) {
        fflush(stdout)  // keep the order of values and errors on a terminal
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
