import GirdTensor

/// The one-line description `show(t)` prints first:
///
///     Tensor [64, 4160] float32  min -0.213  mean 0.0412  max 1  NaN 0
///
/// Fields are separated by two spaces; numbers have three significant
/// digits (`NumberFormat`). Min and max skip NaN (infinities count); the
/// mean is over the non-NaN values, summed in Double; `NaN` counts the NaN
/// elements. The whole line is `nan` for min, mean and max when every value
/// is NaN. Special cases:
/// - zero-size: `Tensor [0, 16] float32  empty`
/// - int64 (labels, indices): min and max exact, no NaN field:
///   `Tensor [4] int64  min 0  mean 1.5  max 3`
/// Blocked (oneDNN) layouts are read through `toArray()`, which reorders.
public enum TensorSummary {
    public static func line(_ tensor: Tensor) -> String {
        let head = "Tensor \(shapeText(tensor.shape)) \(tensor.dtype)"
        if tensor.count == 0 { return head + "  empty" }
        switch tensor.dtype {
        case .int64: return head + integerStatistics(tensor.toIndices())
        case .float32: return head + floatStatistics(tensor.toArray())
        }
    }

    private static func integerStatistics(_ values: [Int64]) -> String {
        var sum = 0.0
        for value in values { sum += Double(value) }
        let mean = sum / Double(values.count)
        return "  min \(values.min()!)  mean \(NumberFormat.short(mean))  max \(values.max()!)"
    }

    private static func floatStatistics(_ values: [Float]) -> String {
        var minimum = Float.infinity, maximum = -Float.infinity
        var sum = 0.0, nanCount = 0
        for value in values {
            if value.isNaN { nanCount += 1; continue }
            minimum = Swift.min(minimum, value)
            maximum = Swift.max(maximum, value)
            sum += Double(value)
        }
        let counted = values.count - nanCount
        let (low, mean, high) = counted == 0
            ? (Double.nan, Double.nan, Double.nan)
            : (Double(minimum), sum / Double(counted), Double(maximum))
        return "  min \(NumberFormat.short(low))  mean \(NumberFormat.short(mean))"
            + "  max \(NumberFormat.short(high))  NaN \(nanCount)"
    }
}
