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

    static let usage = """
        USAGE: gird-bench [--threads N] [--quick] [--filter TEXT] [--layout L] [--tsv] [--list]

          --threads N     compute threads for OpenBLAS and oneDNN (default: all cores)
          --quick         smaller sizes and fewer repetitions (a smoke run)
          --filter TEXT   only the cases whose name contains TEXT
          --layout L      activation layout: blocked, channels-last, or best (default:
                          time both, report the faster, as bench_pytorch.py does
                          with NCHW and channels_last)
          --list          print the case names and stop
          --tsv           tab-separated rows (name, ms, GFLOP/s) without the header

        """

    struct UsageError: Error, CustomStringConvertible { let description: String }

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--quick": options.quick = true
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
