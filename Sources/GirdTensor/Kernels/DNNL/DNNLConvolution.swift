import CDNNL

/// oneDNN's direct convolution: primitive creation and caching, and the three
/// passes run on tensors. Shape checking and autograd live in `Ops/Conv2d.swift`.
///
/// Every primitive is created with `format_tag_any` for its weights and, by
/// default, its activations, so that oneDNN picks its blocked layouts
/// (`nChw16c`, `OIhw16i16o`, `Goihw16g`...): measured here, blocked
/// convolution is about 2x faster than plain NCHW. `ActivationLayout`
/// switches activations to NHWC instead. Activations stay in the layout a
/// primitive chose (the next conv, batch norm or ReLU reads it as is); weights are
/// plain parameters and are reordered per call, which costs microseconds.
enum DNNLConvolution {
    // MARK: Primitives, one per geometry and pass

    /// The forward primitive, always made for `forward_training`, recording
    /// or not. oneDNN 2.6 picks other kernels and layouts for
    /// `forward_inference` on AMX machines (channels-last `brgconv` instead of
    /// `nChw16c` jit), which measured here as fast or slower (equal on 64->64
    /// 3x3, 10-45% slower on 256->256 8x8, 128->256 stride 2 and depthwise)
    /// and would hand inference activations to batch norm and the next conv
    /// in another layout than training ones. Convolution keeps no workspace,
    /// so training costs inference nothing. The backward primitives take
    /// this one as their hint.
    static func forwardPrimitive(_ geometry: Conv2dGeometry) throws -> DNNLPrimitive {
        let layout = ActivationLayout.preferred
        return try DNNLPrimitiveCache.primitive("conv2d fwd \(layout) \(geometry.key)") {
            var desc = dnnl_convolution_desc_t()
            var src = DNNLFormat.tagged(geometry.inputShape, layout.convolutionTag).desc
            var weights = DNNLFormat.tagged(geometry.groupedWeightDims, dnnl_format_tag_any).desc
            var bias = biasDesc(geometry)
            var dst = DNNLFormat.tagged(geometry.outputShape, layout.convolutionTag).desc
            try DNNLRuntime.check(
                dnnl_dilated_convolution_forward_desc_init(
                    &desc, dnnl_forward_training, dnnl_convolution_direct, &src, &weights, &bias, &dst,
                    geometry.strides, geometry.dilates, geometry.paddings, geometry.paddings),
                "conv2d")
            return try makePrimitive(&desc, hint: nil)
        }
    }

    static func backwardDataPrimitive(_ geometry: Conv2dGeometry) throws -> DNNLPrimitive {
        let layout = ActivationLayout.preferred
        let key = "conv2d bwd-data \(layout) \(geometry.key)"
        // Fetched before entering the cache's lock, which is not reentrant.
        let hint = try forwardPrimitive(geometry)
        return try DNNLPrimitiveCache.primitive(key) {
            var desc = dnnl_convolution_desc_t()
            var diffSrc = DNNLFormat.tagged(geometry.inputShape, layout.convolutionTag).desc
            var weights = DNNLFormat.tagged(geometry.groupedWeightDims, dnnl_format_tag_any).desc
            var diffDst = DNNLFormat.tagged(geometry.outputShape, layout.convolutionTag).desc
            try DNNLRuntime.check(
                dnnl_dilated_convolution_backward_data_desc_init(
                    &desc, dnnl_convolution_direct, &diffSrc, &weights, &diffDst,
                    geometry.strides, geometry.dilates, geometry.paddings, geometry.paddings),
                "conv2d")
            return try makePrimitive(&desc, hint: hint)
        }
    }

    static func backwardWeightsPrimitive(_ geometry: Conv2dGeometry) throws -> DNNLPrimitive {
        let layout = ActivationLayout.preferred
        let key = "conv2d bwd-weights \(layout) \(geometry.key)"
        let hint = try forwardPrimitive(geometry)
        return try DNNLPrimitiveCache.primitive(key) {
            var desc = dnnl_convolution_desc_t()
            var src = DNNLFormat.tagged(geometry.inputShape, layout.convolutionTag).desc
            var diffWeights = DNNLFormat.tagged(geometry.groupedWeightDims, dnnl_format_tag_any).desc
            var diffBias = biasDesc(geometry)
            var diffDst = DNNLFormat.tagged(geometry.outputShape, layout.convolutionTag).desc
            try DNNLRuntime.check(
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &desc, dnnl_convolution_direct, &src, &diffWeights, &diffBias, &diffDst,
                    geometry.strides, geometry.dilates, geometry.paddings, geometry.paddings),
                "conv2d")
            return try makePrimitive(&desc, hint: hint)
        }
    }

    /// A plain 1-D bias descriptor, or the zero descriptor that tells oneDNN
    /// there is no bias term.
    private static func biasDesc(_ geometry: Conv2dGeometry) -> dnnl_memory_desc_t {
        geometry.hasBias ? DNNLFormat.plain([geometry.outChannels]).desc : dnnl_memory_desc_t()
    }

    private static func makePrimitive(_ desc: inout dnnl_convolution_desc_t,
                                      hint: DNNLPrimitive?) throws -> DNNLPrimitive {
        var descriptor: dnnl_primitive_desc_t?
        try DNNLRuntime.check(
            dnnl_primitive_desc_create(&descriptor, &desc, nil, DNNLRuntime.engine, hint?.descriptor), "conv2d")
        return try DNNLPrimitive(descriptor: descriptor!, op: "conv2d")
    }

    // MARK: Passes

    /// Runs the forward pass. Returns the output in the primitive's dst
    /// layout and the input as the primitive read it (in its src layout),
    /// which backward-weights reuses without reordering again.
    static func forward(_ input: Tensor, weight: Tensor, bias: Tensor?,
                        geometry: Conv2dGeometry) throws -> (output: Tensor, source: Tensor) {
        let primitive = try forwardPrimitive(geometry)
        let srcFormat = primitive.format(of: dnnl_query_src_md)
        let weightsFormat = primitive.format(of: dnnl_query_weights_md)
        let dstFormat = primitive.format(of: dnnl_query_dst_md)
        let source = DNNLReorder.toFormat(input, srcFormat)
        let weights = weightBuffer(weight, in: weightsFormat, geometry: geometry)
        let output = tensor(geometry.outputShape, in: dstFormat)
        var arguments = [(DNNL_ARG_SRC, srcFormat, source.storage.pointer),
                         (DNNL_ARG_WEIGHTS, weightsFormat, weights.pointer),
                         (DNNL_ARG_DST, dstFormat, output.storage.pointer)]
        let plainBias = bias?.plain()
        if let plainBias {
            arguments.append((DNNL_ARG_BIAS, primitive.format(of: dnnl_query_weights_md, index: 1), plainBias.storage.pointer))
        }
        try primitive.execute(arguments, op: "conv2d")
        withExtendedLifetime((weights, plainBias)) {}
        return (output, source)
    }

    /// The backward passes that are asked for. `gradOutput` may be plain or
    /// in any layout; it is reordered once to the layout the backward
    /// primitives want (both pick the same one in practice). The input
    /// gradient comes back in the backward-data primitive's diff_src layout;
    /// the weight and bias gradients come back plain, as leaves want them.
    static func backward(_ gradOutput: Tensor, source: Tensor?, weight: Tensor?, geometry: Conv2dGeometry)
        throws -> (input: Tensor?, weight: Tensor?, bias: Tensor?)
    {
        var diffDst = gradOutput
        var gradInput: Tensor?
        if let weight {
            let primitive = try backwardDataPrimitive(geometry)
            let diffDstFormat = primitive.format(of: dnnl_query_diff_dst_md)
            let weightsFormat = primitive.format(of: dnnl_query_weights_md)
            let diffSrcFormat = primitive.format(of: dnnl_query_diff_src_md)
            diffDst = DNNLReorder.toFormat(diffDst, diffDstFormat)
            // Backward-data wants its own weights layout (e.g. OIhw16o16i
            // where forward took OIhw16i16o): one reorder per backward.
            let weights = weightBuffer(weight, in: weightsFormat, geometry: geometry)
            let result = tensor(geometry.inputShape, in: diffSrcFormat)
            try primitive.execute([(DNNL_ARG_DIFF_DST, diffDstFormat, diffDst.storage.pointer),
                                   (DNNL_ARG_WEIGHTS, weightsFormat, weights.pointer),
                                   (DNNL_ARG_DIFF_SRC, diffSrcFormat, result.storage.pointer)], op: "conv2d")
            withExtendedLifetime(weights) {}
            gradInput = result
        }
        var gradWeight: Tensor?, gradBias: Tensor?
        if let source {
            let primitive = try backwardWeightsPrimitive(geometry)
            let srcFormat = primitive.format(of: dnnl_query_src_md)
            let diffDstFormat = primitive.format(of: dnnl_query_diff_dst_md)
            let diffWeightsFormat = primitive.format(of: dnnl_query_diff_weights_md)
            let src = DNNLReorder.toFormat(source, srcFormat)
            diffDst = DNNLReorder.toFormat(diffDst, diffDstFormat)
            let plainWeights = Tensor.uninitialized(geometry.weightShape)
            let plainFormat = DNNLFormat.plain(geometry.groupedWeightDims)
            // Written straight into the plain result when the primitive
            // chose plain weights, else through one small reorder.
            let blocked = diffWeightsFormat == plainFormat ? nil : TensorStorage(byteCount: diffWeightsFormat.byteCount)
            var arguments = [(DNNL_ARG_SRC, srcFormat, src.storage.pointer),
                             (DNNL_ARG_DIFF_DST, diffDstFormat, diffDst.storage.pointer),
                             (DNNL_ARG_DIFF_WEIGHTS, diffWeightsFormat, blocked?.pointer ?? plainWeights.storage.pointer)]
            if geometry.hasBias {
                let bias = Tensor.uninitialized([geometry.outChannels])
                arguments.append((DNNL_ARG_DIFF_BIAS, primitive.format(of: dnnl_query_diff_weights_md, index: 1),
                                  bias.storage.pointer))
                gradBias = bias
            }
            try primitive.execute(arguments, op: "conv2d")
            if let blocked {
                DNNLReorder.reorder(from: diffWeightsFormat, blocked.pointer, to: plainFormat, plainWeights.storage.pointer)
            }
            gradWeight = plainWeights
        }
        return (gradInput, gradWeight, gradBias)
    }

    // MARK: Buffers

    /// A fresh tensor of `shape` in `format`, tagged plain when the format is
    /// plain row-major (so that plain kernels may read it directly).
    private static func tensor(_ shape: [Int], in format: DNNLFormat) -> Tensor {
        Tensor(shape: shape, dtype: .float32, storage: TensorStorage(byteCount: format.byteCount),
               layout: format.isPlain ? .plain : .blocked(format))
    }

    /// The weights in `format`: the parameter's own bytes when the format is
    /// plain OIHW (GOIHW with groups, the same bytes), else a reordered copy.
    /// Weights are viewed with a leading group axis when `groups > 1`, which
    /// a rank-4 tensor cannot carry, so this returns a bare buffer.
    private static func weightBuffer(_ weight: Tensor, in format: DNNLFormat,
                                     geometry: Conv2dGeometry) -> TensorStorage {
        let plainWeight = weight.plain()
        let plainFormat = DNNLFormat.plain(geometry.groupedWeightDims)
        if format == plainFormat { return plainWeight.storage }
        let buffer = TensorStorage(byteCount: format.byteCount)
        DNNLReorder.reorder(from: plainFormat, plainWeight.storage.pointer, to: format, buffer.pointer)
        return buffer
    }
}
