import Foundation

/// CPU time of the calling thread, in seconds.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// A recipe session: the global bindings, the resolver that knows their
/// names, and the options. Files and `-e` text run in it one after another
/// (a REPL runs each entry in the same one).
public final class Interpreter {
    public let context: InterpreterContext
    let resolver: Resolver
    let compiler: Compiler

    /// A parsed, resolved and compiled file, ready to run.
    public struct Program {
        let body: Eval
        let source: SourceFile
    }

    public init(options: InterpreterOptions = InterpreterOptions()) {
        context = InterpreterContext(options: options)
        resolver = Resolver(context: context)
        compiler = Compiler(context: context)
    }

    /// The session's functions live in its globals and capture its context,
    /// which holds the globals: without this the whole session (and its
    /// 32 MiB frame stack) outlived the interpreter, in every program that
    /// makes more than one (found by fuzzing, LeakSanitizer).
    deinit { context.globals.clear() }

    /// CPU time spent parsing, compiling and running in this session (the
    /// interpreter's own thread only), for benchmarks.
    public private(set) var cpuSeconds = 0.0

    /// The names of every `param` compiled so far (imports included).
    public var declaredParameters: [String] { compiler.parameterNames }

    /// Lets a later entry declare a name again (the REPL); files may not.
    public var allowsRedefinition: Bool {
        get { resolver.allowsRedefinition }
        set { resolver.allowsRedefinition = newValue }
    }

    /// Parses, resolves and compiles `file` (imports included); nothing runs yet.
    public func load(_ file: SourceFile) throws -> Program {
        try BigStack.run { () -> Result<Program, Error> in
            let started = threadCPUSeconds()
            defer { self.cpuSeconds += threadCPUSeconds() - started }
            return Result {
                self.context.loadedSources.append((file.name, String(decoding: file.text, as: UTF8.self)))
                let block = try Parser.parse(file)
                try self.resolver.resolveProgram(block)
                return Program(body: try self.compiler.compileProgram(block), source: file)
            }
        }.get()
    }

    /// Runs a loaded program; gives the value of its last statement when that
    /// is an expression (`none` otherwise).
    public func execute(_ program: Program) throws -> Value {
        try BigStack.run { () -> Result<Value, Error> in
            let started = threadCPUSeconds()
            defer { self.cpuSeconds += threadCPUSeconds() - started }
            return Result {
                let topLevel = FrameBox.make(count: 0, parent: nil)
                self.context.callDepth = 0
                return try withExtendedLifetime(topLevel) { try program.body(topLevel.frame) }
            }
        }.get()
    }

    /// Loads and runs `file`.
    @discardableResult
    public func run(_ file: SourceFile) throws -> Value {
        try execute(try load(file))
    }

    /// Loads and runs `source` as a file named `name`.
    @discardableResult
    public func run(source: String, name: String = "<-e>") throws -> Value {
        try run(SourceFile(name: name, text: source))
    }

    /// Every name a REPL line could use here: bindings and builtins.
    public var visibleNames: [String] { resolver.visibleNames() }

    // MARK: The REPL's entries

    /// Loads and runs one REPL entry (or a `:load`ed file). If it does not
    /// compile, the names it declared are forgotten again, so that a typo
    /// in `let t = ...` leaves the old `t` as it was; if it fails while
    /// running, what it bound before the failure stays (as in a file).
    @discardableResult
    public func runEntry(_ file: SourceFile) throws -> Value {
        let names = resolver.globalNamesSnapshot
        let program: Program
        do {
            program = try load(file)
        } catch {
            resolver.restoreGlobalNames(names)
            throw error
        }
        return try execute(program)
    }

    /// The value a top-level name holds now; nil when it is not bound (or
    /// its definition has not run). Reads a slot and runs nothing, so Tab
    /// completion may call it.
    public func globalValue(named name: String) -> Value? {
        guard let slot = resolver.globalSlot(of: name) else { return nil }
        let value = context.globals.slots[slot]
        if case .unset = value { return nil }
        return value
    }

    /// Binds a top-level name from outside the language (the REPL's `_`,
    /// the value of the last expression), as a `let` would.
    public func bind(_ name: String, to value: Value) {
        let slot: Int
        if let existing = resolver.globalSlot(of: name) {
            slot = existing
        } else {
            let span = SourceSpan(file: Interpreter.hostFile, line: 1, column: 1, length: 1)
            guard let binding = try? resolver.declare(name, kind: .let, span: span) else { return }
            slot = binding.slot
        }
        context.globals.slots[slot] = value
    }

    /// Where bindings made from outside the language say they were defined.
    private static let hostFile = SourceFile(name: "<repl>", text: "")
}
