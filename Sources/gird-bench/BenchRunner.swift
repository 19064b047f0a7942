import Foundation
import GirdTensor

/// One benchmark: a name, the work it does per call (for GFLOP/s), a set-up
/// that builds its inputs, and the call itself.
struct BenchCase {
    let name: String
    /// Floating-point operations per call; 0 where a rate means nothing.
    let flops: Double
    /// Whether the activation layout changes what runs (not for sgemm).
    var dependsOnLayout = true
    let prepare: () throws -> () throws -> Void
}

struct BenchResult {
    let name: String
    let milliseconds: Double
    let flops: Double
    /// The activation layout of the best time, "-" where it does not matter.
    let layout: String
}

enum BenchRunner {
    /// Best time of `repetitions` calls after one warm-up call (which also
    /// creates and caches native primitives).
    static func measure(_ benchCase: BenchCase, repetitions: Int, layout: String) throws -> BenchResult {
        let run = try benchCase.prepare()
        try run()
        var best = Double.infinity
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            try run()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return BenchResult(name: benchCase.name, milliseconds: best, flops: benchCase.flops, layout: layout)
    }
}

enum BenchReport {
    static let header = "case                                      ms      GFLOP/s  layout"

    static func row(_ result: BenchResult) -> String {
        let rate = result.flops > 0 ? String(format: "%10.1f", result.flops / result.milliseconds / 1e6) : "         -"
        return result.name.padding(toLength: 36, withPad: " ", startingAt: 0)
            + String(format: "%10.3f", result.milliseconds) + rate + "  " + result.layout
    }

    static func tabSeparatedRow(_ result: BenchResult) -> String {
        let rate = result.flops > 0 ? String(format: "%.1f", result.flops / result.milliseconds / 1e6) : "-"
        return "\(result.name)\t\(String(format: "%.4f", result.milliseconds))\t\(rate)\t\(result.layout)"
    }
}
