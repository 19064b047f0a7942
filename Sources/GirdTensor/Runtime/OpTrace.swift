/// A forward pass recorded op by op, with each op's settings, for exporters
/// (ONNX): while `OpTrace.current` is set, the ops a network calls report
/// themselves to it. Only the outermost op of a nest reports (`linear`, not
/// the matmul and add it is made of), so that the record has the ops a
/// network is written in. Costs a nil check per op otherwise.
public enum TracedOp: Equatable, Sendable {
    case conv2d(stride: [Int], padding: [Int], dilation: [Int], groups: Int)
    /// Inputs: x, weight (or nil), bias (or nil), running mean, running variance.
    case batchNorm(epsilon: Float, training: Bool)
    case relu
    /// min(max(x, min), max): ReLU6 is clip(0, 6).
    case clip(min: Float, max: Float)
    case add
    case maxPool2d(kernel: [Int], stride: [Int], padding: [Int])
    /// Divided by the whole kernel area, padding included (PyTorch's default).
    case avgPool2d(kernel: [Int], stride: [Int], padding: [Int])
    case adaptiveAvgPool2d(outputSize: [Int])
    /// [N, C, H, W] to [N, C].
    case globalAvgPool
    case flatten(start: Int)
    /// Inputs: x, weight, bias (or nil).
    case linear
    case concatenateChannels(shuffleGroups: Int)
    case channelShuffle(groups: Int)
    case splitChannels(sizes: [Int])
}

public protocol OpTraceRecorder: AnyObject {
    /// One op: its inputs in order (nil for an optional input not given)
    /// and its outputs.
    func record(_ op: TracedOp, inputs: [Tensor?], outputs: [Tensor])
}

public enum OpTrace {
    /// The recorder of the pass being traced (one thread: the engine's ops
    /// run on the caller's thread).
    nonisolated(unsafe) public static var current: OpTraceRecorder?
    nonisolated(unsafe) private static var depth = 0

    /// Runs `body`, and reports it when a trace is on and no traced op is
    /// already running.
    @inline(__always)
    static func traced(_ op: @autoclosure () -> TracedOp, _ inputs: @autoclosure () -> [Tensor?],
                       _ body: () throws -> Tensor) rethrows -> Tensor {
        guard let recorder = current, depth == 0 else { return try body() }
        depth += 1
        defer { depth -= 1 }
        let output = try body()
        recorder.record(op(), inputs: inputs(), outputs: [output])
        return output
    }

    @inline(__always)
    static func traced(_ op: @autoclosure () -> TracedOp, _ inputs: @autoclosure () -> [Tensor?],
                       _ body: () throws -> [Tensor]) rethrows -> [Tensor] {
        guard let recorder = current, depth == 0 else { return try body() }
        depth += 1
        defer { depth -= 1 }
        let outputs = try body()
        recorder.record(op(), inputs: inputs(), outputs: outputs)
        return outputs
    }
}
