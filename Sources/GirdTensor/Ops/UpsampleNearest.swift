/// Nearest-neighbour resizing of [N, C, H, W] maps, as PyTorch's
/// `F.interpolate(x, size=(height, width), mode="nearest")` (ReviewKD's
/// fusions resize features to the teacher's size with it). Output row i
/// reads input row min(floor(i * (in / out)), in - 1), the scale computed in
/// Float as PyTorch's CPU kernel computes it, so non-integer ratios pick the
/// same rows; columns alike. Works for shrinking too.
extension Tensor {
    public func upsampledNearest(height: Int, width: Int) throws -> Tensor {
        let op = "upsampleNearest"
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: dtype) }
        guard rank == 4 else {
            throw TensorError.invalidArgument(op: op, message: "expected a 4-D [N, C, H, W] input, got \(formatShape(shape))")
        }
        guard height > 0, width > 0 else {
            throw TensorError.invalidArgument(op: op, message: "output size must be positive, got (\(height), \(width))")
        }
        let (planes, inHeight, inWidth) = (shape[0] * shape[1], shape[2], shape[3])
        guard inHeight > 0, inWidth > 0 else {
            throw TensorError.invalidArgument(op: op, message: "input \(formatShape(shape)) has an empty spatial size")
        }
        if inHeight == height && inWidth == width { return self }
        let rows = Self.nearestSources(inHeight, height), columns = Self.nearestSources(inWidth, width)
        let result = Tensor.uninitialized([shape[0], shape[1], height, width])
        let x = plain().floats, y = result.mutableFloats
        for plane in 0..<planes {
            let source = plane * inHeight * inWidth, target = plane * height * width
            for (i, row) in rows.enumerated() {
                let from = source + row * inWidth, to = target + i * width
                for (j, column) in columns.enumerated() { y[to + j] = x[from + column] }
            }
        }
        let inputShape = shape
        return result.recorded(op, [self]) { g in
            // Every output copies one input element: the gradient goes back
            // to that element, summed over its copies.
            let gradient = Tensor.zeros(inputShape)
            let dx = gradient.mutableFloats, dy = g.plain().floats
            for plane in 0..<planes {
                let source = plane * inHeight * inWidth, target = plane * height * width
                for (i, row) in rows.enumerated() {
                    let from = source + row * inWidth, to = target + i * width
                    for (j, column) in columns.enumerated() { dx[from + column] += dy[to + j] }
                }
            }
            return [gradient]
        }
    }

    static func nearestSources(_ inSize: Int, _ outSize: Int) -> [Int] {
        let scale = Float(inSize) / Float(outSize)
        return (0..<outSize).map { Swift.min(Int((Float($0) * scale).rounded(.down)), inSize - 1) }
    }
}
