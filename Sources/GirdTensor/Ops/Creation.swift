/// Tensors made from nothing: random ones drawn from a `RandomGenerator`
/// (each documents how many words of the stream it takes, so that a run is
/// reproducible from its seeds), and evenly spaced ones.
extension Tensor {
    /// Uniform values in [0, 1), as `torch.rand`. One word per element.
    public static func rand(_ shape: [Int], generator: RandomGenerator) throws -> Tensor {
        try checkShape(shape, op: "rand")
        let result = try allocated(shape, what: "rand: shape \(formatShape(shape))")
        generator.fillUniform(result.mutableFloats)
        return result
    }

    /// Standard normal values, as `torch.randn` (Box–Muller). Two words per
    /// pair of elements; an odd count draws one pair more and drops its
    /// second value.
    public static func randn(_ shape: [Int], generator: RandomGenerator) throws -> Tensor {
        try checkShape(shape, op: "randn")
        let result = try allocated(shape, what: "randn: shape \(formatShape(shape))")
        generator.fillNormal(result.mutableFloats)
        return result
    }

    /// 0, 1, ..., end - 1 as int64 (or float32), as `torch.arange(end)`.
    public static func arange(_ end: Int, dtype: DType = .int64) throws -> Tensor {
        guard end >= 0 else {
            throw TensorError.invalidArgument(op: "arange", message: "end must not be negative, got \(end)")
        }
        try MemoryLimit.check([end], bytesPerElement: dtype.byteSize, what: "arange: \(end) values")
        switch dtype {
        case .int64: return try Tensor(shape: [end], indices: (0..<end).map(Int64.init))
        case .float32: return try Tensor(shape: [end], values: (0..<end).map(Float.init))
        }
    }

    /// start, start + step, ... while below `end` (above it for a negative
    /// step), as float32 `torch.arange(start, end, step)`. Each value is
    /// start + i·step in double precision, so long ranges do not drift.
    public static func arange(from start: Float, to end: Float, step: Float = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw TensorError.invalidArgument(
                op: "arange", message: "start, end and step must be finite and step non-zero, got \(start), \(end), \(step)")
        }
        let steps = ((Double(end) - Double(start)) / Double(step)).rounded(.up)
        guard steps >= 0 else {
            throw TensorError.invalidArgument(
                op: "arange", message: "step \(step) does not lead from \(start) to \(end)")
        }
        let count = Int(steps)
        return try Tensor(shape: [count], values: (0..<count).map { Float(Double(start) + Double($0) * Double(step)) })
    }

    /// A random ordering of 0..<n as int64, as `torch.randperm`; takes what
    /// `RandomGenerator.permutation` takes.
    public static func randomPermutation(_ n: Int, generator: RandomGenerator) throws -> Tensor {
        guard n >= 0 else {
            throw TensorError.invalidArgument(op: "randomPermutation", message: "n must not be negative, got \(n)")
        }
        try MemoryLimit.check([n], bytesPerElement: 8, what: "randomPermutation: \(n) values")
        return try Tensor(shape: [n], indices: generator.permutation(n).map(Int64.init))
    }

    /// A float32 tensor of `shape` filled with `value`, for a shape that
    /// comes from input (a recipe's `zeros`, `ones`, `full`): `zeros` and
    /// `full` trust their caller, this one checks the size against the
    /// machine's memory first (`MemoryLimit`) and throws when the allocation
    /// is refused. `what` names the request in the error: "zeros(): shape [2, 3]".
    public static func filled(_ shape: [Int], value: Float, what: String) throws -> Tensor {
        try checkShape(shape, op: what)
        let result = try allocated(shape, what: what)
        result.mutableFloats.initialize(repeating: value)
        return result
    }

    /// Uninitialised storage for a size from input: `MemoryLimit`'s check,
    /// then an allocation that throws rather than aborts.
    static func allocated(_ shape: [Int], dtype: DType = .float32, what: String) throws -> Tensor {
        try MemoryLimit.check(shape, bytesPerElement: dtype.byteSize, what: what)
        let storage = try TensorStorage(checkedByteCount: ShapeRules.count(shape) * dtype.byteSize, what: what)
        return Tensor(shape: shape, dtype: dtype, storage: storage)
    }

    private static func checkShape(_ shape: [Int], op: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: op, message: "negative size in shape \(formatShape(shape))")
        }
    }
}

extension Tensor {
    /// A float32 tensor whose every value `body` writes, row-major, straight
    /// into its storage: for readers that make values in bulk (a batch of
    /// images) without an intermediate array. Invalid shapes throw.
    public static func filling(_ shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) throws -> Tensor {
        try checkShape(shape, op: "tensor")
        let tensor = try allocated(shape, what: "tensor: shape \(formatShape(shape))")
        try body(tensor.mutableFloats)
        return tensor
    }
}
