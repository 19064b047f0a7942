import CDNNL

/// oneDNN's 2-D pooling over NCHW data in the input's own layout: a plain
/// input gives a plain result, a blocked one a result in the same blocked
/// layout (oneDNN's choice for `format_tag_any` given a blocked source).
enum DNNLPooling {
    enum Algorithm: String {
        case max
        /// Divides by the whole kernel area, padding included: PyTorch's
        /// `count_include_pad=True` (its default).
        case averageIncludingPadding

        var kind: dnnl_alg_kind_t {
            switch self {
            case .max: return dnnl_pooling_max
            case .averageIncludingPadding: return dnnl_pooling_avg_include_padding
            }
        }
    }

    /// Kernel, stride and padding, each (height, width).
    struct Window {
        let kernel: [Int]
        let stride: [Int]
        let padding: [Int]

        var text: String { "k \(kernel) s \(stride) p \(padding)" }
    }

    /// A forward pass made: its primitive (the backward's hint), layouts and
    /// the workspace max pooling leaves for its backward.
    struct Forward {
        let key: String
        let primitive: DNNLPrimitive
        let sourceFormat: DNNLFormat
        let destinationFormat: DNNLFormat
        let workspace: TensorStorage?
    }

    static func forward(_ input: Tensor, outputShape: [Int], algorithm: Algorithm, window: Window,
                        training: Bool) throws -> (output: Tensor, forward: Forward) {
        let sourceFormat = input.layout.format(shape: input.shape)
        let destinationWanted: DNNLFormat = input.isBlocked
            ? .tagged(outputShape, dnnl_format_tag_any) : .plain(outputShape)
        let kind = training ? dnnl_forward_training : dnnl_forward_inference
        let key = "pooling \(algorithm.rawValue) \(kind.rawValue) \(window.text) "
            + "\(DNNLReorder.fingerprint(sourceFormat)) -> \(outputShape)"
        let primitive = try DNNLPrimitiveCache.primitive(key) {
            var source = sourceFormat.desc, destination = destinationWanted.desc
            var description = dnnl_pooling_desc_t()
            // Padding on the right equal to the left one: oneDNN then floors
            // the output size, as PyTorch does without ceil_mode.
            try DNNLRuntime.check(
                dnnl_pooling_forward_desc_init(
                    &description, kind, algorithm.kind, &source, &destination,
                    window.stride.map(Int64.init), window.kernel.map(Int64.init),
                    window.padding.map(Int64.init), window.padding.map(Int64.init)),
                "pooling")
            var descriptor: dnnl_primitive_desc_t?
            try DNNLRuntime.check(dnnl_primitive_desc_create(&descriptor, &description, nil, DNNLRuntime.engine, nil),
                                  "pooling")
            return try DNNLPrimitive(descriptor: descriptor!, op: "pooling")
        }
        let destinationFormat = primitive.format(of: dnnl_query_dst_md)
        let output = TensorStorage(byteCount: destinationFormat.byteCount)
        var arguments: [(Int32, DNNLFormat, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_SRC, sourceFormat, input.storage.pointer),
            (DNNL_ARG_DST, destinationFormat, output.pointer),
        ]
        var workspace: TensorStorage?
        let workspaceFormat = primitive.format(ofArgument: DNNL_ARG_WORKSPACE)
        if workspaceFormat.byteCount > 0 {
            workspace = TensorStorage(byteCount: workspaceFormat.byteCount)
            arguments.append((DNNL_ARG_WORKSPACE, workspaceFormat, workspace!.pointer))
        }
        try primitive.execute(arguments, op: "pooling")
        let layout: TensorLayout = input.isBlocked ? .blocked(destinationFormat) : .plain
        let result = Tensor(shape: outputShape, dtype: .float32, storage: output, layout: layout)
        return (result, Forward(key: key, primitive: primitive, sourceFormat: sourceFormat,
                                destinationFormat: destinationFormat, workspace: workspace))
    }

    /// The gradient of the input, in the input's layout, from `gradient` of
    /// the output (reordered to the forward's output layout if it is not).
    static func backward(_ gradient: Tensor, inputShape: [Int], algorithm: Algorithm, window: Window,
                         forward: Forward) throws -> Tensor {
        let primitive = try DNNLPrimitiveCache.primitive("\(forward.key) backward") {
            var diffSource = forward.sourceFormat.desc, diffDestination = forward.destinationFormat.desc
            var description = dnnl_pooling_desc_t()
            try DNNLRuntime.check(
                dnnl_pooling_backward_desc_init(
                    &description, algorithm.kind, &diffSource, &diffDestination,
                    window.stride.map(Int64.init), window.kernel.map(Int64.init),
                    window.padding.map(Int64.init), window.padding.map(Int64.init)),
                "pooling backward")
            var descriptor: dnnl_primitive_desc_t?
            try DNNLRuntime.check(
                dnnl_primitive_desc_create(&descriptor, &description, nil, DNNLRuntime.engine, forward.primitive.descriptor),
                "pooling backward")
            return try DNNLPrimitive(descriptor: descriptor!, op: "pooling backward")
        }
        let diffDestination = DNNLReorder.toFormat(gradient, forward.destinationFormat)
        let diffSource = TensorStorage(byteCount: forward.sourceFormat.byteCount)
        var arguments: [(Int32, DNNLFormat, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_DIFF_DST, forward.destinationFormat, diffDestination.storage.pointer),
            (DNNL_ARG_DIFF_SRC, forward.sourceFormat, diffSource.pointer),
        ]
        if let workspace = forward.workspace {
            arguments.append((DNNL_ARG_WORKSPACE, forward.primitive.format(ofArgument: DNNL_ARG_WORKSPACE),
                              workspace.pointer))
        }
        try primitive.execute(arguments, op: "pooling backward")
        let layout: TensorLayout = forward.sourceFormat.isPlain ? .plain : .blocked(forward.sourceFormat)
        return Tensor(shape: inputShape, dtype: .float32, storage: diffSource, layout: layout)
    }
}
