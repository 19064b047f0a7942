import Foundation
import GirdREPL

// A test fixture, not a tool: ReplSession with a trivial evaluator, so that
// GirdREPLTests can drive line editing, history, completion, Ctrl-C and
// pipe mode through a pseudo-terminal before the recipe interpreter exists.
// The history goes to $HOME/.gird_history, so tests point HOME elsewhere.

setvbuf(stdout, nil, _IOLBF, 0)
let session = ReplSession(evaluator: EchoEvaluator(), history: History(path: History.defaultPath()),
                          programName: "gird-line-demo")
exit(session.run())
