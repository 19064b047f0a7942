import Foundation
import GirdREPL

// A test fixture, not a tool: ReplSession with a trivial evaluator. The
// real gird-repl is what GirdREPLTests drive for everything else; this one
// can run a computation that never reaches a safe point (`hang`), which the
// recipe interpreter cannot, to test the three-Ctrl-C way out.
// The history goes to $HOME/.gird_history, so tests point HOME elsewhere.

setvbuf(stdout, nil, _IOLBF, 0)
let session = ReplSession(evaluator: EchoEvaluator(), history: History(path: History.defaultPath()),
                          programName: "gird-line-demo")
exit(session.run())
