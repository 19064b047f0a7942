/// Reshape: the same elements under a new shape. A plain tensor shares its
/// storage (no copy); one `-1` stands for the size that makes the count fit.
extension Tensor {
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        let resolved = try resolveShape(newShape)
        if resolved == shape { return self }
        let source = plain()
        let result = Tensor(shape: resolved, dtype: dtype, storage: source.storage)
        let inputShape = shape
        return result.recorded("reshape", [self]) { g in [try g.reshaped(inputShape)] }
    }

    /// All axes from `start` on folded into one, as `torch.flatten(x, start)`.
    public func flattened(from start: Int = 1) throws -> Tensor {
        try OpTrace.traced(.flatten(start: start), [self]) {
            let axis = try ShapeRules.normalizeAxis(start, rank: rank, op: "flatten")
            return try reshaped(Array(shape[..<axis]) + [shape[axis...].reduce(1, *)])
        }
    }

    private func resolveShape(_ newShape: [Int]) throws -> [Int] {
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        guard unknown.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError.invalidArgument(op: "reshape", message: "invalid shape \(formatShape(newShape))")
        }
        var resolved = newShape
        if let axis = unknown.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, count % known == 0 else { throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape) }
            resolved[axis] = count / known
        }
        guard ShapeRules.count(resolved) == count else { throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape) }
        return resolved
    }
}
