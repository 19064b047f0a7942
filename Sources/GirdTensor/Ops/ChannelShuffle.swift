/// ShuffleNet's channel plumbing on NCHW activations: channel shuffle
/// (Zhang et al., 2018), concatenation along channels, and the split into
/// channel ranges that ShuffleNet V2 makes in every block.
///
/// These sit between convolutions on the hot path, so they read the
/// activation in whatever layout it is in (plain, oneDNN's blocked nChw16c
/// and kin, NHWC) and write the result in one pass: a blocked or NHWC input
/// gives a result in the preferred `ActivationLayout`, where the next
/// convolution and batch norm want it; a plain input gives a plain result.
/// Going through `permuted`/`concatenated`/`narrowed` instead costs a reorder
/// to plain before and one back after. Measured here (1 thread, batch 64):
/// ShuffleV2's concatenate-and-shuffle of [64, 116, 16, 16] took 0.9 ms this
/// way and 2.3-2.5 ms that way, about 1.3 ReLU passes against 3.5, and its
/// forward pass went from 120-145 ms to 100-105 ms (evaluation mode).
///
/// Each output channel is a copy of one input channel, so every backward is
/// the same gather run the other way (`ChannelGather`).
extension Tensor {
    /// ShuffleNet's channel shuffle: the channels read as a `groups` x
    /// (C / groups) grid and transposed, as
    /// `x.view(N, g, C/g, H, W).permute(0, 2, 1, 3, 4).reshape(N, C, H, W)`.
    /// Output channel i·g + j is input channel j·(C/g) + i.
    public func channelShuffled(groups: Int) throws -> Tensor {
        try OpTrace.traced(.channelShuffle(groups: groups), [self]) {
            try Tensor.concatenatedChannels([self], shuffleGroups: groups, op: "channelShuffle")
        }
    }

    /// `torch.cat(parts, 1)`, then, when `shuffleGroups` > 1, the channel
    /// shuffle of `channelShuffled(groups:)`, in one pass. The parts are
    /// float32 [N, C_k, H, W] with one N, H and W.
    public static func concatenatedChannels(_ parts: [Tensor], shuffleGroups: Int = 1) throws -> Tensor {
        try OpTrace.traced(.concatenateChannels(shuffleGroups: shuffleGroups), parts) {
            try concatenatedChannels(parts, shuffleGroups: shuffleGroups, op: "concatenateChannels")
        }
    }

    private static func concatenatedChannels(_ parts: [Tensor], shuffleGroups: Int, op: String) throws -> Tensor {
        guard let first = parts.first else {
            throw TensorError.invalidArgument(op: op, message: "needs at least one tensor")
        }
        for part in parts {
            try checkActivation(part, op: op)
            guard part.shape[0] == first.shape[0], part.shape[2...] == first.shape[2...] else {
                throw TensorError.invalidArgument(
                    op: op, message: "shapes \(formatShape(first.shape)) and \(formatShape(part.shape)) differ outside dimension 1")
            }
        }
        let sizes = parts.map { $0.shape[1] }
        let channels = sizes.reduce(0, +)
        guard shuffleGroups > 0, channels % shuffleGroups == 0 else {
            throw TensorError.invalidArgument(op: op, message: "\(channels) channels do not split into \(shuffleGroups) groups")
        }
        if parts.count == 1 && (shuffleGroups == 1 || shuffleGroups == channels) { return first }

        // Concatenated channel k is channel `concatenated[k].channel` of part
        // `concatenated[k].input`; the shuffle's output channel i·g + j is
        // concatenated channel j·(C/g) + i.
        let concatenated = parts.indices.flatMap { part in (0..<sizes[part]).map { ChannelSource(input: part, channel: $0) } }
        let perGroup = channels / shuffleGroups
        let sources = (0..<channels).map { concatenated[($0 % shuffleGroups) * perGroup + $0 / shuffleGroups] }
        var shape = first.shape
        shape[1] = channels
        let result = gatheredChannels(shape, from: parts, sources: sources)

        return result.recorded(op, parts) { g in
            // Each input channel went to exactly one output channel: gather it back.
            var origins = sizes.map { [ChannelSource?](repeating: nil, count: $0) }
            for (output, source) in sources.enumerated() {
                origins[source.input][source.channel] = ChannelSource(input: 0, channel: output)
            }
            return parts.indices.map { index in
                guard parts[index].requiresGrad else { return nil }
                return gatheredChannels(parts[index].shape, from: [g], sources: origins[index])
            }
        }
    }

    /// Consecutive channel ranges of the given sizes, as
    /// `torch.split(x, sizes, dim=1)`; the sizes add up to C.
    public func splitChannels(_ sizes: [Int]) throws -> [Tensor] {
        try OpTrace.traced(.splitChannels(sizes: sizes), [self]) {
            let op = "splitChannels"
            try Tensor.checkActivation(self, op: op)
            guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[1] else {
                throw TensorError.invalidArgument(op: op, message: "sizes \(sizes) do not add up to the \(shape[1]) channels of \(formatShape(shape))")
            }
            var start = 0
            return sizes.map { size in
                defer { start += size }
                if size == shape[1] { return self }
                var partShape = shape
                partShape[1] = size
                let first = start
                let part = Tensor.gatheredChannels(partShape, from: [self],
                                                   sources: (0..<size).map { ChannelSource(input: 0, channel: first + $0) })
                let inputShape = shape
                return part.recorded(op, [self]) { g in
                    // The range's gradient in place, zeros in the other channels.
                    let origins = (0..<inputShape[1]).map { channel in
                        (first..<first + size).contains(channel) ? ChannelSource(input: 0, channel: channel - first) : nil
                    }
                    return [Tensor.gatheredChannels(inputShape, from: [g], sources: origins)]
                }
            }
        }
    }

    /// A new activation of `shape` whose channel c is `sources[c]` (zeros
    /// where nil), laid out as described above: plain if the first input is
    /// plain, else in the preferred activation layout.
    private static func gatheredChannels(_ shape: [Int], from inputs: [Tensor], sources: [ChannelSource?]) -> Tensor {
        let read = inputs.map { input -> (tensor: Tensor, addressing: ChannelAddressing) in
            if case let .blocked(format) = input.layout, let addressing = ChannelAddressing(format, shape: input.shape) {
                return (input, addressing)
            }
            let plain = input.plain()
            return (plain, .plain(plain.shape))
        }
        let result: Tensor, addressing: ChannelAddressing
        if inputs.first?.isBlocked == true {
            let format = DNNLFormat.tagged(shape, ActivationLayout.preferred.normalizationTag)
            result = Tensor(shape: shape, dtype: .float32, storage: TensorStorage(byteCount: format.byteCount), layout: .blocked(format))
            addressing = ChannelAddressing(format, shape: shape)!
        } else {
            result = Tensor.uninitialized(shape)
            addressing = .plain(shape)
        }
        if result.count > 0 {
            ChannelGather.gather(into: result, addressing, channels: shape[1], from: read, sources: sources)
        }
        return result
    }

    private static func checkActivation(_ tensor: Tensor, op: String) throws {
        guard tensor.dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: tensor.dtype) }
        guard tensor.rank == 4 else {
            throw TensorError.invalidArgument(op: op, message: "expected a 4-D [N, C, H, W] input, got \(formatShape(tensor.shape))")
        }
    }
}
