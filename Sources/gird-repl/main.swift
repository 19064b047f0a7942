import Foundation
import GirdRecipe
import GirdTensor

// gird-repl's command line: everything but the process plumbing lives in
// GirdRecipe's CommandLineTool, where the tests call it directly.

setvbuf(stdout, nil, _IOLBF, 0)
ComputeThreads.relaunchWithTunedNativeLibraries()
Interrupt.installHandler()
exit(CommandLineTool.run(arguments: Array(CommandLine.arguments.dropFirst())))
