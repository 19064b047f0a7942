/// Elements of a plain row-major buffer read through strides from an
/// offset (in elements): a transposed tensor, a slice with a step, the part
/// of a concatenation one input fills, the inside of a padded tensor.
struct StridedView {
    var shape: [Int]
    var strides: [Int]
    var offset = 0

    /// The whole of a plain tensor of `shape`.
    static func contiguous(_ shape: [Int]) -> StridedView {
        StridedView(shape: shape, strides: ShapeRules.strides(shape))
    }
}

/// The one copy loop behind permute, slice, concatenate and pad, and behind
/// their backwards (which copy the same views the other way).
enum StridedCopy {
    /// Copies `sourceView` of `source` into `destinationView` of
    /// `destination`. Both tensors plain and of one dtype; the views have
    /// one shape and lie inside their buffers.
    static func copy(from source: Tensor, _ sourceView: StridedView, to destination: Tensor, _ destinationView: StridedView) {
        precondition(!source.isBlocked && !destination.isBlocked && source.dtype == destination.dtype)
        precondition(sourceView.shape == destinationView.shape)
        switch source.dtype {
        case .float32:
            copy(Float.self, from: source.storage.pointer, sourceView, to: destination.storage.pointer, destinationView)
        case .int64:
            copy(Int64.self, from: source.storage.pointer, sourceView, to: destination.storage.pointer, destinationView)
        }
    }

    private static func copy<Element>(_: Element.Type, from sourceBase: UnsafeMutableRawPointer, _ sourceView: StridedView,
                                      to destinationBase: UnsafeMutableRawPointer, _ destinationView: StridedView) {
        guard !sourceView.shape.contains(0) else { return }
        let source = sourceBase.assumingMemoryBound(to: Element.self) + sourceView.offset
        let destination = destinationBase.assumingMemoryBound(to: Element.self) + destinationView.offset
        let loop = StridedLoop(shape: sourceView.shape, operandStrides: [destinationView.strides, sourceView.strides])
        let length = loop.rowLength, sd = loop.rowStride(0), ss = loop.rowStride(1)
        loop.forEachRow { _, offsets in
            let d = destination + offsets[0], s = source + offsets[1]
            if sd == 1 && ss == 1 {
                d.update(from: s, count: length)
            } else {
                for j in 0..<length { d[j * sd] = s[j * ss] }
            }
        }
    }
}

extension Tensor {
    /// A new plain tensor holding the elements of `view` of this tensor's
    /// plain values.
    func materialized(_ view: StridedView) -> Tensor {
        let result = Tensor.uninitialized(view.shape, dtype: dtype)
        StridedCopy.copy(from: plain(), view, to: result, .contiguous(view.shape))
        return result
    }

    /// A new plain tensor of `shape` filled with `fill`, with this tensor's
    /// values written into `view` of it: the backward of a view op (zeros
    /// around the slice) and padding (a constant around the input).
    func embedded(in shape: [Int], at view: StridedView, fill: Float = 0) -> Tensor {
        precondition(fill == 0 || dtype == .float32, "a non-zero fill is a float")
        let result = fill == 0 ? Tensor.zeros(shape, dtype: dtype) : Tensor.full(shape, value: fill)
        StridedCopy.copy(from: plain(), .contiguous(self.shape), to: result, view)
        return result
    }
}
