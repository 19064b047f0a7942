import XCTest
@testable import GirdRecipe

/// Runs recipe text in a fresh interpreter; gives the value of its last
/// statement and everything it printed.
func runRecipe(_ code: String, name: String = "<-e>", stepLimit: Int? = 10_000_000,
               configure: (inout InterpreterOptions) -> Void = { _ in }) throws -> (value: Value, output: String) {
    let output = OutputBuffer()
    var options = InterpreterOptions()
    options.stepLimit = stepLimit
    options.output = { output.text += $0 }
    // Tests write their files under the system's temporary folder, outside
    // the current directory: as `--allow-write` would allow it.
    options.writePolicy = WritePolicy(allowing: [NSTemporaryDirectory()])
    configure(&options)
    let interpreter = Interpreter(options: options)
    let value = try interpreter.run(source: code, name: name)
    return (value, output.text)
}

/// The value of a recipe, as it would be written (`repr`).
func evaluate(_ code: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        return try runRecipe(code).value.repr
    } catch {
        XCTFail("unexpected error: \(error)", file: file, line: line)
        return ""
    }
}

/// The full text of the error a recipe raises ("" when it raises none).
func errorText(_ code: String, stepLimit: Int? = 10_000_000) -> String {
    do {
        _ = try runRecipe(code, stepLimit: stepLimit)
        return ""
    } catch let error as RecipeError {
        return error.description
    } catch {
        return "not a RecipeError: \(error)"
    }
}

final class OutputBuffer {
    var text = ""
}

/// Runs the command line with captured streams, allowed to write under the
/// system's temporary folder (where tests keep their files) unless
/// `allowingTemporaryFiles` is false.
func runCommandLine(_ arguments: [String], stdin: String? = nil,
                    allowingTemporaryFiles: Bool = true) -> (status: Int32, output: String, errors: String) {
    let output = OutputBuffer(), errors = OutputBuffer()
    let io = CommandLineTool.IO(standardInput: { stdin ?? "" }, standardInputIsTerminal: stdin == nil,
                                output: { output.text += $0 }, errorOutput: { errors.text += $0 })
    let allowed = allowingTemporaryFiles ? ["--allow-write", NSTemporaryDirectory()] : []
    let status = CommandLineTool.run(arguments: allowed + arguments, io: io)
    return (status, output.text, errors.text)
}
