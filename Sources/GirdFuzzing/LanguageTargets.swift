import Foundation
import GirdRecipe
import GirdREPL
import GirdRecipeREPL

/// The targets over recipes: text someone shared, run by the lexer,
/// parser and resolver, then by the evaluator.
extension FuzzTargets {
    static let language: [FuzzTarget] = [
        FuzzTarget("recipe", "lexer, parser and resolver of a recipe (one evaluation step at most)", dictionary: "recipe.dict") { bytes in
            try run(bytes, stepLimit: 1)
        },
        FuzzTarget("evaluate", "the evaluator on a recipe: dry run (training builtins only check), 20 000 steps, writes only to a scratch folder",
                   dictionary: "recipe.dict") { bytes in
            try run(bytes, stepLimit: 20_000)
        },
        FuzzTarget("completeness", "the REPL's check of whether a typed entry is complete (RecipeEvaluator.status)",
                   dictionary: "recipe.dict") { bytes in
            _ = completeness.status(of: String(decoding: bytes, as: UTF8.self))
        },
    ]

    nonisolated(unsafe) static let completeness = RecipeEvaluator(interpreter: Interpreter())

    static func run(_ bytes: [UInt8], stepLimit: Int) throws {
        var options = InterpreterOptions()
        options.stepLimit = stepLimit
        options.maximumCallDepth = 2_000
        options.dryRun = true
        options.output = { _ in }
        options.writePolicy = WritePolicy(currentDirectory: Scratch.directory)
        _ = try Interpreter(options: options).run(source: String(decoding: bytes, as: UTF8.self), name: "<fuzz>")
    }
}

/// Every target, by name.
public enum FuzzTargets {
    public static let all: [FuzzTarget] = language + fileFormats

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
