import Foundation
import GirdTensor

struct BenchOptions {
    var threads = ProcessInfo.processInfo.activeProcessorCount
    var quick = false
    var filter: String?
    var showHelp = false
    /// Print the case names, one a line, and stop.
    var listCases = false
    /// Tab-separated `name, ms, GFLOP/s` rows, for scripts.
    var tabSeparated = false
    /// The activation layouts to time each case in; the best is reported.
    var layouts: [ActivationLayout] = ActivationLayout.allCases
    /// Times the trainer's data-parallel steps instead (`DataParallelBench`).
    var dataParallel = false
    var steps = 20

    static let usage = """
        USAGE: gird-bench [--threads N] [--quick] [--filter TEXT] [--layout L] [--tsv] [--list]
               gird-bench --data-parallel [--steps N] [--threads N]   (alone, or under mpirun -np N)

          --threads N     compute threads for OpenBLAS and oneDNN (default: all cores)
          --quick         smaller sizes and fewer repetitions (a smoke run)
          --filter TEXT   only the cases whose name contains TEXT
          --layout L      activation layout: blocked, channels-last, or best (default:
                          time both, report the faster, as bench_pytorch.py does
                          with NCHW and channels_last)
          --list          print the case names and stop
          --tsv           tab-separated rows (name, ms, GFLOP/s) without the header
          --data-parallel the trainer's steps (KD resnet32x4>resnet8x4, KD+GIRD
                          resnet20>resnet8, global batch 64) on this job's ranks;
                          --steps N timed steps after 2 warm-up ones (default 20);
                          the engine's default layout unless --layout names one

        """

    struct UsageError: Error, CustomStringConvertible { let description: String }

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--quick": options.quick = true
            case "--data-parallel": options.dataParallel = true
            case "--steps":
                guard let value = rest.popFirst(), let steps = Int(value), steps > 0 else {
                    throw UsageError(description: "--steps needs a positive whole number")
                }
                options.steps = steps
            case "--tsv": options.tabSeparated = true
            case "--list": options.listCases = true
            case "--help", "-h": options.showHelp = true
            case "--threads":
                guard let value = rest.popFirst(), let threads = Int(value), threads > 0 else {
                    throw UsageError(description: "--threads needs a positive whole number")
                }
                options.threads = threads
            case "--layout":
                guard let value = rest.popFirst() else { throw UsageError(description: "--layout needs a value") }
                if value == "best" {
                    options.layouts = ActivationLayout.allCases
                } else if let layout = ActivationLayout(rawValue: value) {
                    options.layouts = [layout]
                } else {
                    throw UsageError(description: "--layout takes blocked, channels-last or best, not '\(value)'")
                }
            case "--filter":
                guard let value = rest.popFirst() else { throw UsageError(description: "--filter needs a text") }
                options.filter = value
            default:
                throw UsageError(description: "unknown argument '\(argument)'")
            }
        }
        return options
    }
}
