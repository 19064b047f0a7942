/// 2-D max and average pooling over NCHW, as PyTorch's `F.max_pool2d` and
/// `F.avg_pool2d` (floor mode, no dilation; average counts the padding).
///
/// oneDNN runs both directions in the input's layout: plain stays plain,
/// blocked stays blocked. Max pooling's backward routes each gradient to
/// the element the forward picked, read from the workspace the forward
/// left (kept alive by the backward closure); ties go to the first element
/// in the window, as in PyTorch.
extension Tensor {
    /// Largest value of each `kernel` window; `stride` defaults to the
    /// kernel, padding counts as -inf. Sizes are (height, width).
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws -> Tensor {
        try OpTrace.traced(.maxPool2d(kernel: [kernel.0, kernel.1], stride: [(stride ?? kernel).0, (stride ?? kernel).1], padding: [padding.0, padding.1]), [self]) {
            try pooled2d(op: "maxPool2d", algorithm: .max, kernel: kernel, stride: stride ?? kernel, padding: padding)
        }
    }

    /// Square-window form of `maxPool2d(kernel:stride:padding:)`.
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) throws -> Tensor {
        try maxPool2d(kernel: (kernel, kernel), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    /// Mean of each `kernel` window, always divided by the kernel area:
    /// zero padding counts (PyTorch's default `count_include_pad=True`).
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws -> Tensor {
        try OpTrace.traced(.avgPool2d(kernel: [kernel.0, kernel.1], stride: [(stride ?? kernel).0, (stride ?? kernel).1], padding: [padding.0, padding.1]), [self]) {
            try pooled2d(op: "avgPool2d", algorithm: .averageIncludingPadding, kernel: kernel,
                         stride: stride ?? kernel, padding: padding)
        }
    }

    /// Square-window form of `avgPool2d(kernel:stride:padding:)`.
    public func avgPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) throws -> Tensor {
        try avgPool2d(kernel: (kernel, kernel), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    private func pooled2d(op: String, algorithm: DNNLPooling.Algorithm, kernel: (Int, Int), stride: (Int, Int),
                          padding: (Int, Int)) throws -> Tensor {
        let outputShape = try pooledShape(op: op, kernel: kernel, stride: stride, padding: padding)
        let window = DNNLPooling.Window(kernel: [kernel.0, kernel.1], stride: [stride.0, stride.1],
                                        padding: [padding.0, padding.1])
        return try pooled(op: op, algorithm: algorithm, window: window, outputShape: outputShape)
    }

    /// Runs oneDNN pooling and records its backward. Shared with adaptive
    /// pooling, whose evenly dividing case is an ordinary average pooling.
    func pooled(op: String, algorithm: DNNLPooling.Algorithm, window: DNNLPooling.Window,
                outputShape: [Int]) throws -> Tensor {
        if count == 0 || ShapeRules.count(outputShape) == 0 { return Tensor.zeros(outputShape) }
        let willRecord = GradMode.isRecording && requiresGrad
        let (result, forward) = try DNNLPooling.forward(self, outputShape: outputShape, algorithm: algorithm,
                                                        window: window, training: willRecord)
        let inputShape = shape
        return result.recorded(op, [self]) { g in
            [try DNNLPooling.backward(g, inputShape: inputShape, algorithm: algorithm, window: window, forward: forward)]
        }
    }

    /// The output shape, after PyTorch's argument checks.
    private func pooledShape(op: String, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)) throws -> [Int] {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: dtype) }
        guard rank == 4 else {
            throw TensorError.invalidArgument(op: op, message: "expected a 4-D [N, C, H, W] input, got \(formatShape(shape))")
        }
        guard kernel.0 > 0, kernel.1 > 0 else {
            throw TensorError.invalidArgument(op: op, message: "kernel size must be positive, got \(kernel)")
        }
        guard stride.0 > 0, stride.1 > 0 else {
            throw TensorError.invalidArgument(op: op, message: "stride must be positive, got \(stride)")
        }
        guard padding.0 >= 0, padding.1 >= 0 else {
            throw TensorError.invalidArgument(op: op, message: "padding must not be negative, got \(padding)")
        }
        // PyTorch's rule; it also keeps every window over some real input.
        guard padding.0 <= kernel.0 / 2, padding.1 <= kernel.1 / 2 else {
            throw TensorError.invalidArgument(
                op: op, message: "padding \(padding) must be at most half of the kernel size \(kernel)")
        }
        let (height, width) = (shape[2] + 2 * padding.0, shape[3] + 2 * padding.1)
        guard kernel.0 <= height, kernel.1 <= width else {
            throw TensorError.invalidArgument(
                op: op, message: "kernel \(kernel) is larger than the input \(formatShape(shape)) with padding \(padding)")
        }
        return [shape[0], shape[1], (height - kernel.0) / stride.0 + 1, (width - kernel.1) / stride.1 + 1]
    }
}
