import Foundation
import GirdTensor

/// One benchmark: a name, the work it does per call (for its rate), a set-up
/// that builds its inputs, and the call itself.
struct BenchCase {
    let name: String
    /// Floating-point operations per call; 0 where a rate means nothing.
    var flops: Double = 0
    /// Images per call, for training steps (the rate is then images/s).
    var images = 0
    /// Whether the activation layout changes what runs (not for sgemm).
    var dependsOnLayout = true
    let prepare: () throws -> () throws -> Void
}

struct BenchResult {
    let name: String
    let milliseconds: Double
    let flops: Double
    let images: Int
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
        return BenchResult(name: benchCase.name, milliseconds: best, flops: benchCase.flops,
                           images: benchCase.images, layout: layout)
    }
}

enum BenchReport {
    static let header = "case                                      ms          rate  layout"

    /// GFLOP/s for kernels, img/s for training steps.
    static func rate(_ result: BenchResult) -> String {
        if result.images > 0 { return String(format: "%.1f img/s", Double(result.images) / result.milliseconds * 1e3) }
        if result.flops > 0 { return String(format: "%.1f GFLOP/s", result.flops / result.milliseconds / 1e6) }
        return "-"
    }

    static func row(_ result: BenchResult) -> String {
        result.name.padding(toLength: 36, withPad: " ", startingAt: 0)
            + String(format: "%10.3f", result.milliseconds) + rate(result).leftPadded(to: 16) + "  " + result.layout
    }

    static func tabSeparatedRow(_ result: BenchResult) -> String {
        let rate = rate(result)
        return "\(result.name)\t\(String(format: "%.4f", result.milliseconds))\t\(rate)\t\(result.layout)"
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
