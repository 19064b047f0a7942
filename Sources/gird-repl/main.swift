import Foundation
import GirdRecipe
import GirdRecipeREPL
import GirdInterrupt
import GirdTensor

// gird-repl's command line: everything but the process plumbing lives in
// GirdRecipe's CommandLineTool, where the tests call it directly; the
// interactive session (GirdREPL with the interpreter behind it) plugs in here,
// because the language must not depend on the REPL.

setvbuf(stdout, nil, _IOLBF, 0)
if CommandLineTool.benefitsFromTunedLibraries(Array(CommandLine.arguments.dropFirst())) {
    ComputeThreads.relaunchWithTunedNativeLibraries()
}
Interrupt.install()
CommandLineTool.interactiveSession = { InteractiveSession.run($0, version: CommandLineTool.version) }
exit(CommandLineTool.run(arguments: Array(CommandLine.arguments.dropFirst())))
