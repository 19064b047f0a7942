import Foundation

/// An n-dimensional array of float32 or int64 that can record the operations
/// made on it, for reverse-mode differentiation.
///
/// A tensor is a reference (as in PyTorch): gradients accumulate into the
/// object a parameter is, and the tape refers to its inputs by identity. Its
/// shape and values never change after the op that made it returns, except
/// through the few explicit in-place updates of parameters and gradients
/// (`Tensor+InPlace.swift`). Images are NCHW.
///
/// The bytes are either plain row-major or in one of oneDNN's blocked
/// layouts (`nChw16c` and kin), which convolutions, batch norm, pooling and
/// element-wise ops pass to each other without converting; anything else
/// asks for `plain()`, which reorders once and remembers the result.
public final class Tensor {
    public let shape: [Int]
    public let dtype: DType
    let storage: TensorStorage
    let layout: TensorLayout

    /// Set on leaves whose gradient a caller wants; set by the tape on every
    /// result computed from such a leaf while gradients are recorded.
    public internal(set) var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`; nil before.
    public internal(set) var grad: Tensor?
    /// How this tensor was computed; nil for leaves and for constants.
    var gradNode: GradNode?
    /// The plain copy of a blocked tensor, made on first demand.
    var plainCache: Tensor?

    init(shape: [Int], dtype: DType, storage: TensorStorage, layout: TensorLayout = .plain) {
        self.shape = shape
        self.dtype = dtype
        self.storage = storage
        self.layout = layout
        self.requiresGrad = false
    }

    /// An uninitialised plain float32 tensor, for ops to fill.
    static func uninitialized(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(shape: shape, dtype: dtype,
               storage: TensorStorage(byteCount: ShapeRules.count(shape) * dtype.byteSize))
    }

    public var rank: Int { shape.count }
    public var count: Int { ShapeRules.count(shape) }
    public var isScalar: Bool { shape.isEmpty }
    public var isLeaf: Bool { gradNode == nil }
    var isBlocked: Bool { if case .blocked = layout { return true } else { return false } }

    // MARK: Construction from Swift values

    /// A float32 tensor from row-major values.
    public convenience init(shape: [Int], values: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: "tensor", message: "negative size in shape \(formatShape(shape))")
        }
        guard ShapeRules.count(shape) == values.count else {
            throw TensorError.invalidArgument(
                op: "tensor", message: "shape \(formatShape(shape)) holds \(ShapeRules.count(shape)) values, got \(values.count)")
        }
        let storage = TensorStorage(byteCount: values.count * 4)
        values.withUnsafeBytes { storage.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        self.init(shape: shape, dtype: .float32, storage: storage)
    }

    /// An int64 tensor (labels, indices) from row-major values.
    public convenience init(shape: [Int], indices: [Int64]) throws {
        guard ShapeRules.count(shape) == indices.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(
                op: "tensor", message: "shape \(formatShape(shape)) does not hold \(indices.count) values")
        }
        let storage = TensorStorage(byteCount: indices.count * 8)
        indices.withUnsafeBytes { storage.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        self.init(shape: shape, dtype: .int64, storage: storage)
    }

    /// A float32 scalar (rank 0).
    public convenience init(_ value: Float) {
        let storage = TensorStorage(byteCount: 4)
        storage.pointer.storeBytes(of: value, as: Float.self)
        self.init(shape: [], dtype: .float32, storage: storage)
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(shape: shape, dtype: dtype,
               storage: TensorStorage(zeroedByteCount: ShapeRules.count(shape) * dtype.byteSize))
    }

    public static func full(_ shape: [Int], value: Float) -> Tensor {
        let result = uninitialized(shape)
        result.mutableFloats.initialize(repeating: value)
        return result
    }

    public static func ones(_ shape: [Int]) -> Tensor { full(shape, value: 1) }

    // MARK: Reading values

    /// The values in row-major order as floats (reordered from a blocked
    /// layout if needed; int64 values converted).
    public func toArray() -> [Float] {
        if dtype == .int64 { return indices.map(Float.init) }
        return Array(plain().floats)
    }

    /// The values in row-major order as int64 (floats truncated toward zero;
    /// NaN and values beyond Int64's range become 0 rather than trap).
    public func toIndices() -> [Int64] {
        if dtype == .int64 { return Array(indices) }
        return plain().floats.map { $0.isFinite && Swift.abs($0) < 9.2e18 ? Int64($0) : 0 }
    }

    /// The one value of a one-element tensor.
    public func item() throws -> Float {
        guard count == 1 else {
            throw TensorError.invalidArgument(op: "item", message: "tensor of shape \(formatShape(shape)) has \(count) values, not one")
        }
        if dtype == .int64 { return Float(toIndices()[0]) }
        return plain().floats[0]
    }

    // MARK: Raw access for kernels (plain layout only)

    var floats: UnsafeBufferPointer<Float> {
        precondition(!isBlocked && dtype == .float32)
        return UnsafeBufferPointer(start: storage.pointer.assumingMemoryBound(to: Float.self), count: count)
    }

    var mutableFloats: UnsafeMutableBufferPointer<Float> {
        precondition(!isBlocked && dtype == .float32)
        return UnsafeMutableBufferPointer(start: storage.pointer.assumingMemoryBound(to: Float.self), count: count)
    }

    var indices: UnsafeBufferPointer<Int64> {
        precondition(dtype == .int64)
        return UnsafeBufferPointer(start: storage.pointer.assumingMemoryBound(to: Int64.self), count: count)
    }

    var mutableIndices: UnsafeMutableBufferPointer<Int64> {
        precondition(dtype == .int64)
        return UnsafeMutableBufferPointer(start: storage.pointer.assumingMemoryBound(to: Int64.self), count: count)
    }

    // MARK: Layout

    /// This tensor in plain row-major layout: itself if it already is, else a
    /// reordered copy, made once. The copy carries no tape of its own; ops
    /// record their tape on `self`.
    func plain() -> Tensor {
        guard case let .blocked(format) = layout else { return self }
        if let plainCache { return plainCache }
        let result = DNNLReorder.toPlain(self, format: format)
        plainCache = result
        return result
    }

    // MARK: Identity-preserving views

    /// The same values, cut off from the tape: no gradient flows through it.
    public func detach() -> Tensor {
        Tensor(shape: shape, dtype: dtype, storage: storage, layout: layout)
    }

    /// Marks a leaf as wanting a gradient (as PyTorch's `requires_grad_()`).
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) throws -> Tensor {
        guard isLeaf else {
            throw TensorError.invalidArgument(op: "requiresGrad", message: "only a leaf tensor can be marked; detach() it first")
        }
        guard dtype == .float32 || !flag else {
            throw TensorError.invalidArgument(op: "requiresGrad", message: "only float32 tensors can have gradients")
        }
        requiresGrad = flag
        return self
    }

    /// Forgets the accumulated gradient (as `zero_grad(set_to_none=True)`).
    public func clearGrad() { grad = nil }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        var text = "Tensor(\(formatShape(shape)), \(dtype)"
        if count <= 8 {
            let values = dtype == .float32 ? toArray().map { "\($0)" } : toIndices().map { "\($0)" }
            text += ", [" + values.joined(separator: ", ") + "]"
        }
        if requiresGrad { text += ", requiresGrad" }
        return text + ")"
    }
}
