/// A shape seen around one axis as [outer, size, inner]: element (o, j, i)
/// of the row-major buffer sits at (o * size + j) * inner + i. Ops that work
/// along one axis (softmax, max, topk, indexSelect) loop over these three.
struct AxisSplit {
    let outer: Int
    let size: Int
    let inner: Int

    /// `axis` must be normalised; a scalar splits as [1, 1, 1].
    init(_ shape: [Int], axis: Int) {
        guard !shape.isEmpty else {
            (outer, size, inner) = (1, 1, 1)
            return
        }
        outer = shape[..<axis].reduce(1, *)
        size = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }
}
