/// L2 normalisation along an axis, as `F.normalize(x, p=2, dim=axis, eps=ε)`:
/// y = x / max(‖x‖₂, ε). A zero vector stays zero (0 / ε), never NaN; GIRD's
/// instance embeddings rely on that for a dead feature map.
///
/// Written as one op rather than composed from sqrt and division because
/// sqrt's derivative is infinite at 0: composed, a zero row would get a NaN
/// gradient. With n = ‖x‖ and y = x / max(n, ε):
///
///     n > ε:  dx = (g − y ⟨g, y⟩) / n      (the projection off y, scaled)
///     n ≤ ε:  dx = g / ε                   (the denominator is a constant)
extension Tensor {
    public func l2Normalized(axis: Int = 1, epsilon: Float = 1e-12) throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "l2Normalize", expected: .float32, got: dtype) }
        guard epsilon > 0 else {
            throw TensorError.invalidArgument(op: "l2Normalize", message: "epsilon must be positive, got \(epsilon)")
        }
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: "l2Normalize")
        let axes = rank > 0 ? [dimension] : []
        let (result, denominator, projects) = try GradMode.withoutGradient {
            let norms = try detach().square().sum(axes: axes, keepingDimensions: true).sqrt()
            let denominator = try norms.clamp(min: epsilon)
            // 1 where the norm is above ε (the projection term applies), else 0.
            let projects = try norms.mapped(op: "l2Normalize", preservesZero: true) { $0 > epsilon ? 1 : 0 }
            return (try detach() / denominator, denominator, projects)
        }
        let y = result.detach()
        return result.recorded("l2Normalize", [self]) { g in
            let dot = try (g * y).sum(axes: axes, keepingDimensions: true) * projects
            return [try (g - y * dot) / denominator]
        }
    }
}
