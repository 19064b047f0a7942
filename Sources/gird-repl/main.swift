import Foundation
import GirdInterrupt
import GirdMPI
import GirdRecipe
import GirdRecipeREPL
import GirdTensor

// gird-repl's command line: everything but the process plumbing lives in
// GirdRecipe's CommandLineTool, where the tests call it directly; the
// interactive session (GirdREPL with the interpreter behind it) plugs in here,
// because the language must not depend on the REPL. Under mpirun, the
// process joins the job first (MPILaunch.swift).

setvbuf(stdout, nil, _IOLBF, 0)
let arguments = Array(CommandLine.arguments.dropFirst())
if CommandLineTool.benefitsFromTunedLibraries(arguments) {
    ComputeThreads.relaunchWithTunedNativeLibraries()
}
Interrupt.install()
CommandLineTool.interactiveSession = { InteractiveSession.run($0, version: CommandLineTool.version) }
guard MPIProcessGroup.isLaunched else {
    exit(CommandLineTool.run(arguments: arguments))
}
exit(MPILaunch.run(arguments: arguments))
