import Foundation

/// The process's peak resident memory (getrusage's ru_maxrss, in KiB on Linux).
enum PeakMemory {
    static var residentMegabytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
