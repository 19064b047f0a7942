import XCTest
@testable import GirdTensor

/// Checks an op's backward against central finite differences.
///
/// The op's output is reduced to a scalar with fixed random weights (so every
/// output element's gradient matters, each differently), then every input
/// element is nudged by ±eps. Forward passes are float32, so the difference
/// quotient carries a rounding error of about ulp(loss)/eps ≈ 1e-7·|loss|/1e-2
/// ≈ 1e-5·|loss|, plus a truncation error of O(eps²) ≈ 1e-4 for smooth ops;
/// the default tolerance, 2e-3 absolute plus 1e-2 relative, sits above both
/// and far below what a wrong derivative gives (a sign, a missing factor, a
/// wrong index is off by O(1)).
func assertGradientsMatch(
    _ inputs: [Tensor], eps: Float = 1e-2, absoluteTolerance: Float = 2e-3, relativeTolerance: Float = 1e-2,
    file: StaticString = #filePath, line: UInt = #line,
    _ function: ([Tensor]) throws -> Tensor
) throws {
    let leaves = try inputs.map { try Tensor(shape: $0.shape, values: $0.toArray()).requiringGrad() }
    let probe = try function(leaves)
    var generator = SplitMix64(seed: 7)
    let weights = try Tensor(shape: probe.shape, values: (0..<probe.count).map { _ in Float(generator.nextUnit() * 2 - 1) })
    func loss(_ xs: [Tensor]) throws -> Tensor { try (function(xs) * weights).sum() }

    try loss(leaves).backward()
    for (which, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.toArray() ?? [Float](repeating: 0, count: leaf.count)
        let base = leaf.toArray()
        for index in base.indices {
            func value(at offset: Float) throws -> Float {
                var values = base
                values[index] += offset
                var xs = leaves.map { $0.detach() }
                xs[which] = try Tensor(shape: leaf.shape, values: values)
                return try GradMode.withoutGradient { try loss(xs).item() }
            }
            let numeric = (try value(at: eps) - value(at: -eps)) / (2 * eps)
            let tolerance = absoluteTolerance + relativeTolerance * abs(numeric)
            if abs(analytic[index] - numeric) > tolerance {
                XCTFail("input \(which) element \(index): analytic \(analytic[index]) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}

/// Element-wise comparison with an absolute tolerance.
func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count", file: file, line: line)
    for (index, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance * max(1, abs(e))) {
        XCTFail("element \(index): \(a) vs expected \(e)", file: file, line: line)
        return
    }
}

/// A seeded generator for test data (the engine's own RNG is tested apart).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// A tensor of uniform values in [low, high), reproducible from `seed`.
func uniformTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = SplitMix64(seed: seed)
    let values = (0..<shape.reduce(1, *)).map { _ in low + (high - low) * Float(generator.nextUnit()) }
    return try! Tensor(shape: shape, values: values)
}
