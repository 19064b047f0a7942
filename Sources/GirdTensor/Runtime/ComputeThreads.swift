import COpenBLAS
import Foundation

/// The one thread setting for both native libraries: OpenBLAS (its own
/// pthreads) and oneDNN (libgomp's OpenMP pool).
///
/// libgomp's workers spin after every parallel region and starve OpenBLAS's
/// threads, halving its speed (measured, `notes/native-libs.md`). The cure is
/// `GOMP_SPINCOUNT=0`, which libgomp reads only when it is loaded, so the
/// executables call `relaunchWithTunedNativeLibraries()` first thing.
public enum ComputeThreads {
    /// All cores, the default of `--threads`.
    public static let defaultCount = ProcessInfo.processInfo.activeProcessorCount
    nonisolated(unsafe) private static var current = defaultCount

    /// The number of threads each library uses (default: all cores).
    public static var count: Int { current }

    /// The cores other work leaves free, by the 1-minute load average (at
    /// least 1): what `--threads auto` uses on a shared machine. Measured in
    /// `docs/performance.md`: threads beyond the free cores slow a step down.
    public static func freeCores() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
              let load = text.split(separator: " ").first.flatMap({ Double($0) }) else { return defaultCount }
        return max(1, defaultCount - Int(load.rounded()))
    }

    /// Sets the thread count of OpenBLAS and of oneDNN's OpenMP pool.
    public static func set(_ threads: Int) throws {
        guard threads >= 1 else {
            throw TensorError.invalidArgument(op: "threads", message: "thread count must be at least 1, got \(threads)")
        }
        current = threads
        openblas_set_num_threads(Int32(threads))
        OpenMP.setThreads(threads)
    }

    /// Re-executes the current program once with the environment the native
    /// libraries read at load time; returns when nothing needs changing.
    /// Call first thing in an executable, before any oneDNN or OpenBLAS work.
    ///
    /// - `GOMP_SPINCOUNT=0`: see above.
    /// - `OPENBLAS_CORETYPE`: Debian's OpenBLAS 0.3.21 does not know recent
    ///   Xeons and falls back to its SSE3 "Prescott" kernel, 4-5x slower
    ///   (measured: 34 vs 150-190 GFLOP/s at 1024^3). Only then, and only if
    ///   the variable is unset, we name the kernel the CPU's features allow.
    public static func relaunchWithTunedNativeLibraries() {
        var changed = false
        if getenv("GOMP_SPINCOUNT") == nil {
            setenv("GOMP_SPINCOUNT", "0", 1)
            changed = true
        }
        if getenv("OPENBLAS_CORETYPE") == nil, openBLASCore == "Prescott", let kernel = CPUFeatures.bestOpenBLASKernel {
            setenv("OPENBLAS_CORETYPE", kernel, 1)
            changed = true
        }
        guard changed else { return }
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // execv returns only on failure: carry on as we are.
        for argument in arguments { free(argument) }
    }

    static var openBLASCore: String {
        openblas_get_corename().map { String(cString: $0) } ?? "?"
    }

    /// What the native libraries report, for benchmarks and `--version`.
    public static var nativeLibraries: String {
        let openBLAS = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS ?"
        return "\(openBLAS) (kernel \(openBLASCore)); \(DNNLVersion.text)"
    }
}

/// OpenMP's runtime is loaded by oneDNN; its symbols are looked up rather
/// than linked, because Debian ships libgomp without a development link.
enum OpenMP {
    private typealias SetThreads = @convention(c) (Int32) -> Void

    static func setThreads(_ threads: Int) {
        // A nil handle is RTLD_DEFAULT: every library already loaded.
        guard let symbol = dlsym(nil, "omp_set_num_threads") else { return }
        unsafeBitCast(symbol, to: SetThreads.self)(Int32(threads))
    }
}
