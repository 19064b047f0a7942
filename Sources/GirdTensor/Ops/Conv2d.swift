/// 2-D convolution (cross-correlation, as in PyTorch) on oneDNN: forward,
/// backward-data and backward-weights, with stride, padding, dilation,
/// groups (depthwise included) and an optional bias.
///
/// Layouts follow PyTorch: input NCHW, weight [out, in/groups, kH, kW], bias
/// [out]. The output is returned in the layout the oneDNN primitive chose,
/// usually channel-blocked (`nChw16c`): the ops that follow a convolution
/// (batch norm, ReLU, add, another convolution) take it as it is, and any
/// other op reads it through `plain()`. Gradients follow the same rule: the
/// input's gradient is blocked, the weight's and bias's are plain.

extension Tensor {
    /// Convolves `input` [N, C, H, W] with `weight` [out, C/groups, kH, kW], as
    /// `torch.nn.functional.conv2d`. A static function, like every op whose
    /// inputs play distinct roles (`docs/engine.md`, "How an op is called").
    ///
    /// The output is [N, out, OH, OW] with OH = (H + 2·padding − dilation·(kH − 1)
    /// − 1) / stride + 1 (rounded down), and OW alike.
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                              stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        try conv2d(input, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
                   dilation: (dilation, dilation), groups: groups)
    }

    /// `conv2d` with a separate height and width for stride, padding and
    /// dilation, e.g. `stride: (2, 1), padding: (1, 0)`. Stride and padding have
    /// no defaults here, so that a call naming neither stays unambiguous.
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                              stride: (height: Int, width: Int), padding: (height: Int, width: Int),
                              dilation: (height: Int, width: Int) = (1, 1), groups: Int = 1) throws -> Tensor {
        try OpTrace.traced(.conv2d(stride: [stride.height, stride.width], padding: [padding.height, padding.width], dilation: [dilation.height, dilation.width], groups: groups), [input, weight, bias]) {
            try Cancellation.checkpoint()
            let geometry = try Conv2dGeometry(
                input: (input.shape, input.dtype), weight: (weight.shape, weight.dtype),
                bias: bias.map { ($0.shape, $0.dtype) }, stride: stride, padding: padding, dilation: dilation, groups: groups)
            let inputs = [input, weight] + (bias.map { [$0] } ?? [])

            guard geometry.batch > 0 else {
                // oneDNN rejects empty tensors; an empty batch has an empty output
                // and contributes nothing to the weights' gradients.
                return Tensor.zeros(geometry.outputShape).recorded("conv2d", inputs) { _ in
                    [Tensor.zeros(geometry.inputShape), Tensor.zeros(geometry.weightShape)]
                        + (geometry.hasBias ? [Tensor.zeros([geometry.outChannels])] : [])
                }
            }

            let (output, source) = try DNNLConvolution.forward(input, weight: weight, bias: bias, geometry: geometry)

            // Backward: dX = conv_transpose(dY, W) (backward-data), dW = dY ⋆ X and
            // db = Σ dY over N, H, W (backward-weights). `source` is the input in the
            // layout the forward read it, kept so that dW needs no second reorder.
            let weightValue = weight.detach()
            let needsWeightPass = weight.requiresGrad || (bias?.requiresGrad ?? false)
            let savedSource = needsWeightPass ? source.detach() : nil
            return output.recorded("conv2d", inputs) { g in
                let grads = try DNNLConvolution.backward(
                    g, source: savedSource, weight: input.requiresGrad ? weightValue : nil, geometry: geometry)
                return [grads.input, grads.weight] + (geometry.hasBias ? [grads.bias] : [])
            }
        }
    }

    // MARK: Passes by themselves, for benchmarks

    /// The input gradient of `conv2d` alone, for timing backward-data by itself:
    /// `gradOutput` is the output's gradient, `inputShape` the input's shape.
    @_spi(Benchmarks)
    public static func conv2dBackwardData(_ gradOutput: Tensor, weight: Tensor, inputShape: [Int],
                                          stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        let geometry = try Conv2dGeometry(
            input: (inputShape, .float32), weight: (weight.shape, weight.dtype), bias: nil,
            stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation), groups: groups)
        try geometry.checkGradient(gradOutput)
        return try DNNLConvolution.backward(gradOutput, source: nil, weight: weight, geometry: geometry).input!
    }

    /// The weight (and bias) gradients of `conv2d` alone, for timing
    /// backward-weights by itself.
    @_spi(Benchmarks)
    public static func conv2dBackwardWeights(_ gradOutput: Tensor, input: Tensor, weightShape: [Int], hasBias: Bool = false,
                                             stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                                             groups: Int = 1) throws -> (weight: Tensor, bias: Tensor?) {
        let geometry = try Conv2dGeometry(
            input: (input.shape, input.dtype), weight: (weightShape, .float32),
            bias: hasBias ? ([weightShape.first ?? 0], .float32) : nil,
            stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation), groups: groups)
        try geometry.checkGradient(gradOutput)
        let grads = try DNNLConvolution.backward(gradOutput, source: input, weight: nil, geometry: geometry)
        return (grads.weight!, grads.bias)
    }
}

// MARK: Geometry and its checks

/// Every size of one convolution, checked against each other; the cache key
/// of its primitives.
struct Conv2dGeometry: Hashable {
    let batch, inChannels, height, width: Int
    let outChannels, kernelHeight, kernelWidth: Int
    let strideHeight, strideWidth, paddingHeight, paddingWidth, dilationHeight, dilationWidth: Int
    let groups: Int
    let hasBias: Bool

    /// Checks what oneDNN would otherwise reject with a bare status code (or
    /// accept and misread), naming the shapes involved.
    init(input: (shape: [Int], dtype: DType), weight: (shape: [Int], dtype: DType),
         bias: (shape: [Int], dtype: DType)?,
         stride: (height: Int, width: Int), padding: (height: Int, width: Int),
         dilation: (height: Int, width: Int), groups: Int) throws {
        func fail(_ message: String) -> TensorError { .invalidArgument(op: "conv2d", message: message) }
        let (x, w) = (formatShape(input.shape), formatShape(weight.shape))
        for (name, operand) in [("input", input), ("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
        where operand.dtype != .float32 {
            throw fail("\(name) \(formatShape(operand.shape)) is \(operand.dtype); expected float32")
        }
        guard input.shape.count == 4 else {
            throw fail("input must have 4 dimensions (N, C, H, W), got \(x)")
        }
        guard weight.shape.count == 4 else {
            throw fail("weight must have 4 dimensions (out, in/groups, kH, kW), got \(w)")
        }
        guard input.shape.dropFirst().allSatisfy({ $0 > 0 }), weight.shape.allSatisfy({ $0 > 0 }) else {
            throw fail("input \(x) and weight \(w) must have no empty dimension other than the batch")
        }
        guard stride.height > 0, stride.width > 0 else {
            throw fail("stride must be positive, got \(formatPair(stride)) (input \(x), weight \(w))")
        }
        guard dilation.height > 0, dilation.width > 0 else {
            throw fail("dilation must be positive, got \(formatPair(dilation)) (input \(x), weight \(w))")
        }
        guard padding.height >= 0, padding.width >= 0 else {
            throw fail("padding must be non-negative, got \(formatPair(padding)) (input \(x), weight \(w))")
        }
        guard groups > 0 else {
            throw fail("groups must be positive, got \(groups) (input \(x), weight \(w))")
        }
        let channels = input.shape[1], outChannels = weight.shape[0]
        guard channels % groups == 0 else {
            throw fail("input \(x) has \(channels) channels, which groups \(groups) does not divide")
        }
        guard outChannels % groups == 0 else {
            throw fail("weight \(w) has \(outChannels) output channels, which groups \(groups) does not divide")
        }
        guard weight.shape[1] * groups == channels else {
            throw fail("input \(x) has \(channels) channels, but weight \(w) with groups \(groups) expects \(weight.shape[1] * groups)")
        }
        if let bias, bias.shape != [outChannels] {
            throw fail("bias \(formatShape(bias.shape)) must have shape [\(outChannels)] to match weight \(w)")
        }
        let extent = (height: dilation.height * (weight.shape[2] - 1) + 1, width: dilation.width * (weight.shape[3] - 1) + 1)
        let padded = (height: input.shape[2] + 2 * padding.height, width: input.shape[3] + 2 * padding.width)
        guard extent.height <= padded.height, extent.width <= padded.width else {
            throw fail("kernel of weight \(w) spans \(extent.height)x\(extent.width) with dilation \(formatPair(dilation)), "
                + "more than the padded input \(padded.height)x\(padded.width) of input \(x) with padding \(formatPair(padding))")
        }
        (batch, inChannels, height, width) = (input.shape[0], channels, input.shape[2], input.shape[3])
        (self.outChannels, kernelHeight, kernelWidth) = (outChannels, weight.shape[2], weight.shape[3])
        (strideHeight, strideWidth, paddingHeight, paddingWidth) = (stride.height, stride.width, padding.height, padding.width)
        (dilationHeight, dilationWidth, self.groups, hasBias) = (dilation.height, dilation.width, groups, bias != nil)
    }

    var outHeight: Int { (height + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1 }
    var outWidth: Int { (width + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1 }

    var inputShape: [Int] { [batch, inChannels, height, width] }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    var weightShape: [Int] { [outChannels, inChannels / groups, kernelHeight, kernelWidth] }

    /// The weights' dims as oneDNN takes them: OIHW, or GOIHW with groups
    /// (the same bytes, with the output channels split into groups).
    var groupedWeightDims: [Int] {
        groups == 1 ? weightShape : [groups, outChannels / groups, inChannels / groups, kernelHeight, kernelWidth]
    }

    // oneDNN's spatial arrays; its dilation counts the gaps (0 = dense).
    // Right padding equals left padding: oneDNN's output size rounds down
    // as PyTorch's does, so the unused end rows need no special case.
    var strides: [Int64] { [Int64(strideHeight), Int64(strideWidth)] }
    var dilates: [Int64] { [Int64(dilationHeight - 1), Int64(dilationWidth - 1)] }
    var paddings: [Int64] { [Int64(paddingHeight), Int64(paddingWidth)] }

    var key: String {
        "\(inputShape) w\(weightShape) s\(strideHeight),\(strideWidth) p\(paddingHeight),\(paddingWidth) "
            + "d\(dilationHeight),\(dilationWidth) g\(groups) \(hasBias ? "bias" : "nobias")"
    }

    func checkGradient(_ gradOutput: Tensor) throws {
        guard gradOutput.shape == outputShape else {
            throw TensorError.invalidArgument(
                op: "conv2d", message: "output gradient \(formatShape(gradOutput.shape)) must have the output's shape \(formatShape(outputShape))")
        }
    }
}

/// A (height, width) pair as one number when both agree, as PyTorch prints
/// its square arguments.
private func formatPair(_ pair: (height: Int, width: Int)) -> String {
    pair.height == pair.width ? "\(pair.height)" : "(\(pair.height), \(pair.width))"
}
