import Dispatch

/// Averages a data-parallel step's gradients over the ranks, as PyTorch
/// DDP's reducer: parameters are grouped into buckets (in reverse order,
/// the order backward finishes them), and a bucket's sum over the ranks
/// starts as soon as backward has finished every gradient in it, while the
/// rest of the pass runs (`Tensor.backward(leafGradientReady:)`).
///
///     let reducer = GradientReducer(parameters: model.parameters, group: ProcessGroups.world)
///     reducer.begin(share: Float(localImages) / Float(globalImages))
///     try loss.backward(leafGradientReady: reducer.gradientReady)
///     try reducer.finish()            // every parameter's grad: the global batch's
///
/// Each rank scales its gradients by its share of the global batch before
/// the sum, so that the result is the gradient of the mean loss over the
/// whole global batch even when the ranks hold different numbers of images.
/// A parameter that got no gradient on a rank (unused this step) counts as
/// zero there, and every parameter has a gradient after `finish`, so the
/// optimizer steps identically on every rank.
public final class GradientReducer {
    public let group: ProcessGroup
    public let parameters: [Tensor]
    /// Parameter indices per bucket, in the order buckets are reduced.
    public let buckets: [[Int]]
    private let bucketOfParameter: [ObjectIdentifier: (bucket: Int, offset: Int)]
    private var buffers: [UnsafeMutableBufferPointer<Float>]
    private var readyCount: [Int]
    private var packed: [Set<Int>]
    private var pending: [PendingCollective?]
    private var share: Float = 1
    /// Seconds spent waiting for reductions in `finish` (after backward ended).
    public private(set) var waitSeconds: Double = 0

    /// Buckets hold at most `bucketCapacity` floats (4 MiB by default: a
    /// network of a few million parameters gets several, so the first can
    /// travel while backward computes the rest), and at least one parameter.
    public init(parameters: [Tensor], group: ProcessGroup, bucketCapacity: Int = 1 << 20) {
        self.group = group
        self.parameters = parameters
        var buckets: [[Int]] = [], current: [Int] = [], filled = 0
        for index in parameters.indices.reversed() {
            let size = parameters[index].count
            if !current.isEmpty && filled + size > bucketCapacity {
                buckets.append(current)
                current = []
                filled = 0
            }
            current.append(index)
            filled += size
        }
        if !current.isEmpty { buckets.append(current) }
        self.buckets = buckets
        var where_: [ObjectIdentifier: (Int, Int)] = [:]
        var buffers: [UnsafeMutableBufferPointer<Float>] = []
        for (b, bucket) in buckets.enumerated() {
            var offset = 0
            for index in bucket {
                where_[ObjectIdentifier(parameters[index])] = (b, offset)
                offset += parameters[index].count
            }
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: offset)
            buffer.initialize(repeating: 0)
            buffers.append(buffer)
        }
        self.bucketOfParameter = where_
        self.buffers = buffers
        self.readyCount = Array(repeating: 0, count: buckets.count)
        self.packed = Array(repeating: [], count: buckets.count)
        self.pending = Array(repeating: nil, count: buckets.count)
    }

    deinit {
        for request in pending { try? request?.wait() }
        for buffer in buffers { buffer.deallocate() }
    }

    /// Starts a step: this rank holds `share` of the global batch's images.
    public func begin(share: Float) {
        self.share = share
        for b in buckets.indices {
            readyCount[b] = 0
            packed[b] = []
            pending[b] = nil
        }
    }

    /// The hook for `backward(leafGradientReady:)`: packs the leaf's
    /// gradient, and starts its bucket's reduction once the bucket is full.
    public func gradientReady(_ leaf: Tensor) throws {
        guard let (bucket, offset) = bucketOfParameter[ObjectIdentifier(leaf)],
              packed[bucket].insert(offset).inserted else { return }
        pack(leaf, into: buffers[bucket], at: offset)
        readyCount[bucket] += 1
        if readyCount[bucket] == buckets[bucket].count {
            pending[bucket] = try group.startAllReduceSum(buffers[bucket])
        }
        // MPI moves non-blocking collectives along only inside its calls.
        for request in pending { _ = try request?.test() }
    }

    /// Starts what backward left (buckets with unused parameters), waits for
    /// every reduction and writes the summed gradients back.
    public func finish() throws {
        for (b, bucket) in buckets.enumerated() where pending[b] == nil {
            var offset = 0
            for index in bucket {
                if !packed[b].contains(offset) { pack(parameters[index], into: buffers[b], at: offset) }
                offset += parameters[index].count
            }
            pending[b] = try group.startAllReduceSum(buffers[b])
        }
        let start = DispatchTime.now().uptimeNanoseconds
        for b in buckets.indices {
            try pending[b]?.wait()
            pending[b] = nil
            var offset = 0
            for index in buckets[b] {
                let parameter = parameters[index], count = parameter.count
                let gradient = parameter.grad ?? Tensor.zeros(parameter.shape)
                let target = gradient.mutableFloats.baseAddress!
                target.update(from: buffers[b].baseAddress! + offset, count: count)
                gradient.plainCache = nil
                parameter.grad = gradient
                offset += count
            }
        }
        waitSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    /// The leaf's gradient (zero if it has none) times this rank's share.
    private func pack(_ leaf: Tensor, into buffer: UnsafeMutableBufferPointer<Float>, at offset: Int) {
        let target = buffer.baseAddress! + offset
        guard let grad = leaf.grad else {
            target.update(repeating: 0, count: leaf.count)
            return
        }
        let source = grad.plain().floats.baseAddress!
        for i in 0..<leaf.count { target[i] = source[i] * share }
    }
}
