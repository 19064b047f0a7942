import Foundation

/// The machinery of element-wise ops that keep a tensor's layout: a function
/// with f(0) = 0 maps a blocked tensor's raw buffer directly (its padding
/// stays zero); any other function works on the plain copy.
extension Tensor {
    /// Number of floats in the buffer, padding of blocked layouts included.
    var bufferFloatCount: Int {
        if case let .blocked(format) = layout { return format.byteCount / 4 }
        return count
    }

    var rawFloats: UnsafeMutablePointer<Float> { storage.pointer.assumingMemoryBound(to: Float.self) }

    /// `f` applied to every element. Keeps a blocked layout when `f(0) == 0`.
    @inline(__always)
    func mapped(op: String, preservesZero: Bool, _ f: (Float) -> Float) throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: dtype) }
        let source = preservesZero ? self : plain()
        let storage = TensorStorage(byteCount: source.bufferFloatCount * 4)
        let x = source.rawFloats, out = storage.pointer.assumingMemoryBound(to: Float.self)
        for i in 0..<source.bufferFloatCount { out[i] = f(x[i]) }
        return Tensor(shape: shape, dtype: .float32, storage: storage, layout: source.layout)
    }

    /// `f(self[i], other[i])` for two tensors of one shape, in `self`'s
    /// layout where that is safe (`other` is reordered to it if needed).
    @inline(__always)
    func zipped(with other: Tensor, op: String, _ f: (Float, Float) -> Float) throws -> Tensor {
        guard shape == other.shape else { throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: other.shape) }
        // A blocked buffer's padding must stay zero: keep the layout only
        // when f maps the padding (0, 0) to 0.
        let base: Tensor, partner: Tensor
        if case let .blocked(format) = layout, f(0, 0) == 0 {
            base = self
            partner = DNNLReorder.toFormat(other, format)
        } else {
            base = plain()
            partner = other.plain()
        }
        let n = base.bufferFloatCount
        let storage = TensorStorage(byteCount: n * 4)
        let x = base.rawFloats, y = partner.rawFloats, out = storage.pointer.assumingMemoryBound(to: Float.self)
        for i in 0..<n { out[i] = f(x[i], y[i]) }
        return Tensor(shape: shape, dtype: .float32, storage: storage, layout: base.layout)
    }

    /// Sum of two tensors laid out identically in a oneDNN format.
    static func blockedAdd(_ a: Tensor, _ b: Tensor, format: DNNLFormat) -> Tensor {
        let storage = TensorStorage(byteCount: format.byteCount)
        let x = a.rawFloats, y = b.rawFloats, out = storage.pointer.assumingMemoryBound(to: Float.self)
        for i in 0..<(format.byteCount / 4) { out[i] = x[i] + y[i] }
        return Tensor(shape: a.shape, dtype: .float32, storage: storage, layout: .blocked(format))
    }
}
