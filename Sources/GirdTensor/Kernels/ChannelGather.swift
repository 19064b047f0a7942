import CDNNL

/// Where the channels of an NCHW activation lie in its buffer, for the
/// three families of layouts activations come in: plain NCHW, oneDNN's
/// channel-blocked nChw4c/8c/16c (`aBcdXb`) and channels-last NHWC. In all
/// of them element (n, c, p), p = h·W + w, is at
///
///     n·batchStride + (c / blockSize)·blockStride + c % blockSize + p·positionStride
///
/// (plain: blocks of 1 channel; NHWC: one block of all channels).
struct ChannelAddressing {
    let blockSize: Int
    let batchStride: Int
    let blockStride: Int
    let positionStride: Int

    func offset(channel: Int) -> Int { (channel / blockSize) * blockStride + channel % blockSize }

    /// Plain row-major NCHW.
    static func plain(_ shape: [Int]) -> ChannelAddressing {
        ChannelAddressing(blockSize: 1, batchStride: shape[1] * shape[2] * shape[3], blockStride: shape[2] * shape[3],
                          positionStride: 1)
    }
}

extension ChannelAddressing {
    /// The addressing of a oneDNN layout of a 4-D tensor of `shape`, or nil
    /// for a layout outside the three families (blocked on another axis,
    /// two-level blocks, rows not dense in w).
    init?(_ format: DNNLFormat, shape: [Int]) {
        let desc = format.desc
        guard desc.ndims == 4, desc.format_kind == dnnl_blocked, desc.offset0 == 0, shape.count == 4 else { return nil }
        let blocking = desc.format_desc.blocking
        let strides = withUnsafeBytes(of: blocking.strides) { Array($0.bindMemory(to: Int64.self).prefix(4)).map(Int.init) }
        guard strides[2] == shape[3] * strides[3] || shape[2] == 1 else { return nil }
        switch blocking.inner_nblks {
        case 0 where strides[1] == 1:
            // NHWC: all channels form one block, so that a copy into it runs
            // position by position along contiguous rows of channels.
            self.init(blockSize: shape[1], batchStride: strides[0], blockStride: 0, positionStride: strides[3])
        case 0:
            self.init(blockSize: 1, batchStride: strides[0], blockStride: strides[1], positionStride: strides[3])
        case 1 where blocking.inner_idxs.0 == 1:
            self.init(blockSize: Int(blocking.inner_blks.0), batchStride: strides[0], blockStride: strides[1],
                      positionStride: strides[3])
        default:
            return nil
        }
    }
}

/// One output channel's origin: a channel of one of the inputs.
struct ChannelSource {
    let input: Int
    let channel: Int
}

/// Builds an activation channel by channel from channels of other
/// activations of the same N, H, W: the one loop behind channel shuffle,
/// channel concatenation and channel split, and behind their backwards.
///
/// The output is walked block by block (a block: the channels that share
/// one stretch of memory, 16 in nChw16c, all of them in NHWC, one in plain
/// NCHW). How a block is filled is decided once, from where its lanes come
/// from, and then run for every image.
enum ChannelGather {
    /// Where one output lane reads: an element offset within one image of
    /// an input, and the step from position to position. `input` nil: zero.
    private struct Lane {
        let input: Int?
        let offset: Int
        let stride: Int

        static let zero = Lane(input: nil, offset: 0, stride: 0)

        /// Whether `other` reads the float right after this one (in the same
        /// input), for `distance` = 1, or `distance` floats further.
        func isFollowed(by other: Lane, at distance: Int) -> Bool {
            input != nil && other.input == input && other.stride == stride && other.offset == offset + distance
        }
    }

    /// How a 16-lane block of a 16-lane blocked output is filled. The
    /// blocks ShuffleNets make are nearly all of the first three kinds,
    /// which copy with whole-vector loads. Measured at ShuffleV2's shapes
    /// (batch 64, [64, 116, 16, 16]): filling lane by lane, position-major,
    /// was 2x faster than lane-major with stride 16 (1.4 against 2.8 ms), and
    /// the vector kinds 1.5x faster again (0.9 ms, a ReLU pass being 0.7).
    private enum BlockPlan {
        /// Lanes 0..<16 are 16 consecutive floats (a split or concatenation
        /// on a block boundary).
        case run(Lane)
        /// Even lanes are 8 consecutive floats, odd lanes another 8
        /// (ShuffleNet V2's shuffle of two halves).
        case interleaved(even: Lane, odd: Lane)
        /// Lanes 0..<split are consecutive floats, lanes split..<16 too or
        /// zeros (a boundary inside the block, or the padding of the last).
        case twoRuns(Lane, Lane, split: Int)
        /// Anything else, lane by lane.
        case lanes([Lane])

        init(_ lanes: [Lane], sourcesBlockedBy16: Bool) {
            func isRun(_ first: Int, _ end: Int, step: Int = 1) -> Bool {
                stride(from: first + step, to: end, by: step).allSatisfy { lanes[first].isFollowed(by: lanes[$0], at: ($0 - first) / step) }
            }
            let firstBreak = (1..<16).first { !lanes[0].isFollowed(by: lanes[$0], at: $0) } ?? 16
            if !sourcesBlockedBy16 || lanes[0].input == nil {
                self = .lanes(lanes)
            } else if firstBreak == 16 {
                self = .run(lanes[0])
            } else if isRun(0, 16, step: 2), isRun(1, 16, step: 2) {
                self = .interleaved(even: lanes[0], odd: lanes[1])
            } else if isRun(firstBreak, 16) || lanes[firstBreak...].allSatisfy({ $0.input == nil }) {
                self = .twoRuns(lanes[0], lanes[firstBreak], split: firstBreak)
            } else {
                self = .lanes(lanes)
            }
        }
    }

    /// Writes channel c of `destination` (laid out as `output` says, with
    /// `channels` real channels) from `sources[c]` of `inputs`, zeros where
    /// that is nil and in the padding channels of a blocked layout.
    static func gather(into destination: Tensor, _ output: ChannelAddressing, channels: Int,
                       from inputs: [(tensor: Tensor, addressing: ChannelAddressing)], sources: [ChannelSource?]) {
        precondition(sources.count == channels && destination.dtype == .float32)
        let batch = destination.shape[0], positions = destination.shape[2] * destination.shape[3]
        let lanesPerBlock = output.blockSize
        let blocks = lanesPerBlock == channels ? 1 : (channels + lanesPerBlock - 1) / lanesPerBlock
        let lanes = (0..<blocks * lanesPerBlock).map { channel -> Lane in
            guard channel < channels, let source = sources[channel] else { return .zero }
            let addressing = inputs[source.input].addressing
            return Lane(input: source.input, offset: addressing.offset(channel: source.channel), stride: addressing.positionStride)
        }
        let bases = inputs.map { UnsafePointer($0.tensor.storage.pointer.assumingMemoryBound(to: Float.self)) }
        let batchStrides = inputs.map(\.addressing.batchStride)
        let out = destination.storage.pointer.assumingMemoryBound(to: Float.self)

        if lanesPerBlock == 16 && output.positionStride == 16 {
            // The vector kinds' loads stay inside a source block only if the
            // sources are 16-lane blocked too (see `copyBlock16`).
            let sourcesBlockedBy16 = inputs.allSatisfy { $0.addressing.blockSize == 16 && $0.addressing.positionStride == 16 }
            let plans = (0..<blocks).map { BlockPlan(Array(lanes[($0 * 16)..<($0 * 16 + 16)]), sourcesBlockedBy16: sourcesBlockedBy16) }
            for image in 0..<batch {
                let imageBases = zip(bases, batchStrides).map { $0 + image * $1 }
                for (block, plan) in plans.enumerated() {
                    let target = UnsafeMutableRawPointer(out + image * output.batchStride + block * output.blockStride)
                    copyBlock16(plan, to: target, positions: positions, bases: imageBases)
                }
            }
            return
        }
        var zero: Float = 0
        withUnsafeMutablePointer(to: &zero) { zeroPointer in
            var starts = [UnsafePointer<Float>](repeating: UnsafePointer(zeroPointer), count: lanesPerBlock)
            var strides = [Int](repeating: 0, count: lanesPerBlock)
            for image in 0..<batch {
                for block in 0..<blocks {
                    for lane in 0..<lanesPerBlock {
                        let source = lanes[block * lanesPerBlock + lane]
                        if let input = source.input {
                            starts[lane] = bases[input] + image * batchStrides[input] + source.offset
                        } else {
                            starts[lane] = UnsafePointer(zeroPointer)
                        }
                        strides[lane] = source.stride
                    }
                    copyBlock(to: out + image * output.batchStride + block * output.blockStride,
                              positionStride: output.positionStride, lanes: lanesPerBlock, positions: positions,
                              starts: starts, strides: strides)
                }
            }
        }
    }

    /// One block of lanes over all positions, lane by lane: a plain
    /// channel as one run (a memcpy when the source is plain too), a wide
    /// block (NHWC) position by position along its contiguous row.
    private static func copyBlock(to destination: UnsafeMutablePointer<Float>, positionStride: Int, lanes: Int, positions: Int,
                                  starts: [UnsafePointer<Float>], strides: [Int]) {
        starts.withUnsafeBufferPointer { starts in
            strides.withUnsafeBufferPointer { strides in
                if lanes == 1 {
                    let source = starts[0], stride = strides[0]
                    if stride == 1 && positionStride == 1 {
                        destination.update(from: source, count: positions)
                    } else {
                        for position in 0..<positions { destination[position * positionStride] = source[position * stride] }
                    }
                } else {
                    for position in 0..<positions {
                        let row = destination + position * positionStride
                        for lane in 0..<lanes { row[lane] = starts[lane][position &* strides[lane]] }
                    }
                }
            }
        }
    }

    /// One 16-lane block (of `positions` vectors of 16 floats) by its plan;
    /// `bases` are the inputs' starts for the current image.
    private static func copyBlock16(_ plan: BlockPlan, to target: UnsafeMutableRawPointer, positions: Int,
                                    bases: [UnsafePointer<Float>]) {
        typealias Vector = SIMD16<Float>
        func pointer(_ lane: Lane) -> UnsafeRawPointer { UnsafeRawPointer(bases[lane.input!] + lane.offset) }
        func store(_ vector: Vector, at position: Int) { target.storeBytes(of: vector, toByteOffset: position &* 64, as: Vector.self) }
        switch plan {
        case let .run(lane):
            let source = pointer(lane)
            for position in 0..<positions { store(source.loadUnaligned(fromByteOffset: position &* 64, as: Vector.self), at: position) }
        case let .interleaved(even, odd):
            let evenSource = pointer(even), oddSource = pointer(odd)
            for position in 0..<positions {
                var vector = Vector()
                vector.evenHalf = evenSource.loadUnaligned(fromByteOffset: position &* 64, as: SIMD8<Float>.self)
                vector.oddHalf = oddSource.loadUnaligned(fromByteOffset: position &* 64, as: SIMD8<Float>.self)
                store(vector, at: position)
            }
        case let .twoRuns(first, second, split):
            // A whole-vector load at a run's start reads up to 15 floats past
            // its end; one placed so that its lane `split` is the second
            // run's start reads up to 15 before. Both stay inside the source
            // block at every position but the first and the last, which go
            // lane by lane.
            let firstSource = pointer(first), secondSource = second.input.map { _ in pointer(second) - 4 * split }
            var fromSecond = SIMDMask<SIMD16<Int32>>()
            for lane in split..<16 { fromSecond[lane] = true }
            func laneByLane(_ position: Int) -> Vector {
                var vector = Vector()
                for lane in 0..<split { vector[lane] = firstSource.load(fromByteOffset: position &* 64 + 4 * lane, as: Float.self) }
                if let secondSource {
                    for lane in split..<16 { vector[lane] = secondSource.load(fromByteOffset: position &* 64 + 4 * lane, as: Float.self) }
                }
                return vector
            }
            for position in 0..<positions {
                guard position > 0 && position < positions - 1 else { store(laneByLane(position), at: position); continue }
                let head = firstSource.loadUnaligned(fromByteOffset: position &* 64, as: Vector.self)
                let tail = secondSource?.loadUnaligned(fromByteOffset: position &* 64, as: Vector.self) ?? Vector()
                store(head.replacing(with: tail, where: fromSecond), at: position)
            }
        case let .lanes(lanes):
            var zero: Float = 0
            withUnsafePointer(to: &zero) { zeroPointer in
                let starts = lanes.map { $0.input == nil ? UnsafeRawPointer(zeroPointer) : pointer($0) }
                let strides = lanes.map { 4 * $0.stride }
                for position in 0..<positions {
                    var vector = Vector()
                    for lane in 0..<16 { vector[lane] = starts[lane].load(fromByteOffset: position &* strides[lane], as: Float.self) }
                    store(vector, at: position)
                }
            }
        }
    }
}
