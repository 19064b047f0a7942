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
    /// Times the ImageNet loader on this folder (ILSVRC's layout) instead
    /// (`ImageNetLoaderBench`), with `loaderThreads` threads.
    var imagenetFolder: String?
    var loaderThreads = 1
    /// With --imagenet-loader: also time tv_resnet18 training steps fed by the loader.
    var withSteps = false

    static let usage = """
        USAGE: gird-bench [--threads N] [--quick] [--filter TEXT] [--layout L] [--tsv] [--list]
               gird-bench --data-parallel [--steps N] [--threads N]   (alone, or under mpirun -np N)
               gird-bench --imagenet-loader DIR [--loader-threads N] [--with-steps] [--threads N]

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
          --imagenet-loader DIR   images per second of the ImageNet training loader
                          (random-resized crop 224 + flip, batch 64) over DIR/train,
                          with and without DCT-scaled decoding, on --loader-threads
                          threads (default 1); scripts/bench-imagenet-loader runs it
                          against torchvision's DataLoader on the same files
          --with-steps    also tv_resnet18 training steps (batch 64) fed by the
                          prefetching loader: the time each step waits for data

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
            case "--with-steps": options.withSteps = true
            case "--imagenet-loader":
                guard let value = rest.popFirst() else { throw UsageError(description: "--imagenet-loader needs a folder") }
                options.imagenetFolder = value
            case "--loader-threads":
                guard let value = rest.popFirst(), let threads = Int(value), (1...256).contains(threads) else {
                    throw UsageError(description: "--loader-threads needs a whole number in 1...256")
                }
                options.loaderThreads = threads
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
