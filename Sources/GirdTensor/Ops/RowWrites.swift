/// Overwriting rows of a matrix in place: a FIFO memory bank's enqueue
/// (GIRD, MoCo-style queues). Like the other in-place updates it bypasses
/// the tape: never use it on a tensor whose old value a recorded op still
/// needs (a bank is written after the step's backward has run).
extension Tensor {
    /// self[destinationRow + k] = source[sourceRows.lowerBound + k] for every
    /// k in the range; both [rows, width] float32, self plain.
    public func overwriteRows(startingAt destinationRow: Int, from source: Tensor, rows sourceRows: Range<Int>) throws {
        let op = "overwriteRows"
        guard rank == 2, source.rank == 2, shape[1] == source.shape[1] else {
            throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: source.shape)
        }
        guard dtype == .float32, source.dtype == .float32, !isBlocked else {
            throw TensorError.invalidArgument(op: op, message: "both tensors must be float32, the destination plain")
        }
        guard sourceRows.lowerBound >= 0, sourceRows.upperBound <= source.shape[0], destinationRow >= 0,
              destinationRow + sourceRows.count <= shape[0] else {
            throw TensorError.invalidArgument(
                op: op, message: "rows \(sourceRows) of \(formatShape(source.shape)) do not fit at row \(destinationRow) of \(formatShape(shape))")
        }
        let width = shape[1]
        (mutableFloats.baseAddress! + destinationRow * width)
            .update(from: source.plain().floats.baseAddress! + sourceRows.lowerBound * width, count: sourceRows.count * width)
    }
}
