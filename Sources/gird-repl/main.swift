import Foundation
import GirdTensor

// gird-repl's command line. The recipe language and the interactive REPL
// come with their own issues; until then only the informational flags work,
// and anything else says so with the spec's exit status for bad usage (2).

let version = "0.1.0"

let help = """
    USAGE: gird-repl [options] [FILE.recipe [args...]]

    Runs GIRD recipes, or an interactive session to inspect tensors, features
    and relation matrices.

    OPTIONS:
      -e CODE            run CODE; print the value of a final expression
      -i FILE.recipe     run the file, then start the REPL with its bindings
      --set NAME=VALUE   override a `param` of the recipe (repeatable)
      --dry-run          resolve and check everything without training
      --threads N        compute threads (default: all cores)
      --version          print the version and the native libraries in use
      --help             show this help

    """

setvbuf(stdout, nil, _IOLBF, 0)
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(help, terminator: "")
    exit(0)
}
if arguments.contains("--version") {
    print("gird-repl \(version)")
    print(ComputeThreads.nativeLibraries)
    exit(0)
}
FileHandle.standardError.write(Data("""
    gird-repl: the recipe language is not available yet in this build; \
    only --help and --version work.\n
    """.utf8))
exit(2)
