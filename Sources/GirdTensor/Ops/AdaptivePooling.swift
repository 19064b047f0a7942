/// Adaptive average pooling, as PyTorch's `F.adaptive_avg_pool2d`: the
/// caller names the output size and the windows follow from it. Output i
/// along an axis averages input [floor(i·in/out), ceil((i+1)·in/out)).
extension Tensor {
    /// Averages over bins that cover the input, giving [N, C, height, width].
    ///
    /// When each output size divides the input size the bins are one window
    /// size with a stride of the same: an ordinary average pooling, run by
    /// oneDNN in the input's layout (blocked stays blocked). Otherwise the
    /// bins differ and overlap, and a plain Swift kernel does the work on
    /// the plain copy; the result is then plain.
    public func adaptiveAvgPool2d(outputSize: (Int, Int)) throws -> Tensor {
        try OpTrace.traced(.adaptiveAvgPool2d(outputSize: [outputSize.0, outputSize.1]), [self]) {
            let op = "adaptiveAvgPool2d"
            guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: dtype) }
            guard rank == 4 else {
                throw TensorError.invalidArgument(op: op, message: "expected a 4-D [N, C, H, W] input, got \(formatShape(shape))")
            }
            let (outHeight, outWidth) = outputSize
            guard outHeight > 0, outWidth > 0 else {
                throw TensorError.invalidArgument(op: op, message: "output size must be positive, got \(outputSize)")
            }
            let (inHeight, inWidth) = (shape[2], shape[3])
            guard inHeight > 0, inWidth > 0 else {
                throw TensorError.invalidArgument(op: op, message: "input \(formatShape(shape)) has an empty spatial size")
            }
            let outputShape = [shape[0], shape[1], outHeight, outWidth]
            if inHeight % outHeight == 0 && inWidth % outWidth == 0 {
                let window = DNNLPooling.Window(kernel: [inHeight / outHeight, inWidth / outWidth],
                                                stride: [inHeight / outHeight, inWidth / outWidth], padding: [0, 0])
                return try pooled(op: op, algorithm: .averageIncludingPadding, window: window, outputShape: outputShape)
            }
            let result = AdaptivePoolKernels.forward(plain(), outHeight: outHeight, outWidth: outWidth)
            let inputShape = shape
            return result.recorded(op, [self]) { g in
                [AdaptivePoolKernels.backward(g.plain(), inputShape: inputShape)]
            }
        }
    }

    /// Square form of `adaptiveAvgPool2d(outputSize:)`.
    public func adaptiveAvgPool2d(outputSize: Int) throws -> Tensor {
        try adaptiveAvgPool2d(outputSize: (outputSize, outputSize))
    }

    /// The mean of each channel over its whole plane, as [N, C]: the step
    /// before a classifier's linear layer (PyTorch's
    /// `adaptive_avg_pool2d(x, 1).flatten(1)`). The result is plain.
    public func globalAvgPool() throws -> Tensor {
        try OpTrace.traced(.globalAvgPool, [self]) {
            let pooled = try adaptiveAvgPool2d(outputSize: (1, 1))
            return try pooled.reshaped([shape[0], shape[1]])
        }
    }
}
