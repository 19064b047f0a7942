import Foundation
import GirdRecipe
import GirdREPL

/// gird-repl on a terminal: a banner, then GirdREPL's loop with the recipe
/// interpreter behind it. The front end may look at the terminal and the
/// environment (colours, width, HOME for the history); what it finds goes
/// to the interpreter as options, so recipes stay hermetic.
public enum InteractiveSession {
    public static func run(_ interpreter: Interpreter, version: String) -> Int32 {
        interpreter.context.options.heatmapMode = Terminal.heatmapMode()
        interpreter.context.options.displayColumns = Terminal.columns()
        let evaluator = RecipeEvaluator(interpreter: interpreter)
        let session = ReplSession(evaluator: evaluator, history: History(path: History.defaultPath()), programName: "gird-repl")
        if Terminal.isTerminal(STDIN_FILENO), Terminal.isTerminal(STDOUT_FILENO) {
            print("gird-repl \(version): GIRD's recipe language. :help for help, Ctrl-D to leave.")
        }
        return session.run()
    }
}
