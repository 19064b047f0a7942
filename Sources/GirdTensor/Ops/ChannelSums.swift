/// Per-channel sums of an [N, C] or [N, C, H, W] tensor, accumulated in
/// Double: synchronised batch norm's statistics. A float accumulator over a
/// large batch (64·32·32 values a channel) loses up to 1e-4 of a mean that is
/// small against its terms, which is more than the 1e-5 that a data-parallel
/// run must stay within one process's; oneDNN's own batch norm sums in
/// blocks, and this matches it.
extension Tensor {
    public func channelSums() throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "channelSums", expected: .float32, got: dtype) }
        guard rank == 2 || rank == 4 else {
            throw TensorError.invalidArgument(
                op: "channelSums", message: "expected [N, C] or [N, C, H, W], got \(formatShape(shape))")
        }
        let batch = shape[0], channels = shape[1], plane = rank == 4 ? shape[2] * shape[3] : 1
        let source = plain().floats.baseAddress!
        var sums = [Double](repeating: 0, count: channels)
        for n in 0..<batch {
            for c in 0..<channels {
                let row = source + (n * channels + c) * plane
                var sum = 0.0
                for i in 0..<plane { sum += Double(row[i]) }
                sums[c] += sum
            }
        }
        let result = try Tensor(shape: [channels], values: sums.map { Float($0) })
        let inputShape = shape
        return result.recorded("channelSums", [self]) { gradient in
            // Every value of channel c received gradient[c].
            let perChannel = try gradient.reshaped(inputShape.count == 4 ? [1, channels, 1, 1] : [1, channels])
            return [try perChannel.expanded(to: inputShape)]
        }
    }
}
