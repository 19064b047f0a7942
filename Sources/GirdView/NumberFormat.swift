import Foundation

/// Numbers in summaries and legends: three significant digits (C's `%.3g`),
/// short enough for one line, and the same text on every platform.
/// Infinities and NaN print as `inf`, `-inf`, `nan`.
enum NumberFormat {
    static func short(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        // `%.3g` of -0.0 is "-0", which reads like a rounding artefact.
        if value == 0 { return "0" }
        return String(format: "%.3g", value)
    }
}
