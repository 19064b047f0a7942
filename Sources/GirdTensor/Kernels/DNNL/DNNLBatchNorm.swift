import CDNNL

/// oneDNN's batch normalisation, run in whatever layout the data is in.
///
/// Scale and shift are always passed (ones and zeros when the caller has no
/// affine parameters), so there is one primitive per layout and mode rather
/// than four. Mean and variance are oneDNN's: the variance is the biased one
/// (divided by N·H·W), as PyTorch normalises with.
enum DNNLBatchNorm {
    /// Where the statistics come from.
    enum Statistics: String {
        /// Computed from the batch and written out (training).
        case batch
        /// Read from the caller (evaluation with running statistics).
        case given
    }

    /// One way of running the primitive: the layout, epsilon, the statistics
    /// and whether a backward pass will follow (which needs the forward
    /// descriptor built for training, as its hint).
    struct Configuration {
        let format: DNNLFormat
        let epsilon: Float
        let statistics: Statistics
        let differentiable: Bool

        var flags: UInt32 {
            let affine = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
            return statistics == .given ? affine | dnnl_use_global_stats.rawValue : affine
        }

        var forwardKind: dnnl_prop_kind_t {
            statistics == .batch || differentiable ? dnnl_forward_training : dnnl_forward_inference
        }

        var key: String {
            "batchNorm \(statistics.rawValue) \(forwardKind.rawValue) eps \(epsilon.bitPattern) \(DNNLReorder.fingerprint(format))"
        }
    }

    /// The layout to normalise `input` (rank 2 or 4) in, and the input in it.
    ///
    /// - Rank 4 in nChw16c or NHWC stays as it is, so that conv → BN → ReLU
    ///   chains never reorder; any other oneDNN layout is reordered (below).
    /// - Rank 4 plain goes to nChw16c (NHWC if that is the preferred
    ///   `ActivationLayout`): oneDNN's plain-layout BN is ~10x
    ///   slower than its blocked one (measured, notes/native-libs.md §2),
    ///   far more than the reorder costs.
    /// - Rank 2 [N, C] is read as [N, C, 1, 1] in nhwc, which is the very
    ///   same memory, and which oneDNN has a vectorised kernel for.
    static func layout(for input: Tensor) -> (source: Tensor, format: DNNLFormat) {
        if input.rank == 2 {
            let source = input.plain()
            return (source, .tagged([input.shape[0], input.shape[1], 1, 1], dnnl_nhwc))
        }
        // Only the 16-channel blocks and NHWC have fast kernels: a grouped
        // convolution's narrow blocks (e.g. 4 channels, ShuffleNet V1) fall
        // to oneDNN's reference kernel, ~200 ms a call, far more than a reorder.
        if case let .blocked(format) = input.layout,
           format == .tagged(input.shape, dnnl_nChw16c) || format == .tagged(input.shape, dnnl_nhwc) {
            return (input, format)
        }
        let format = DNNLFormat.tagged(input.shape, ActivationLayout.preferred.normalizationTag)
        return (DNNLReorder.toFormat(input, format), format)
    }

    static func forwardPrimitive(_ configuration: Configuration) throws -> DNNLPrimitive {
        try DNNLPrimitiveCache.primitive(configuration.key) {
            var data = configuration.format.desc
            var description = dnnl_batch_normalization_desc_t()
            try DNNLRuntime.check(
                dnnl_batch_normalization_forward_desc_init(
                    &description, configuration.forwardKind, &data, configuration.epsilon, configuration.flags),
                "batchNorm")
            var descriptor: dnnl_primitive_desc_t?
            try DNNLRuntime.check(
                dnnl_primitive_desc_create(&descriptor, &description, nil, DNNLRuntime.engine, nil), "batchNorm")
            return try DNNLPrimitive(descriptor: descriptor!, op: "batchNorm")
        }
    }

    /// Always `dnnl_backward` (gradients of scale and shift too): oneDNN 2.6
    /// reports `dnnl_backward_data` with use_scale|use_shift as unimplemented
    /// (status 3, seen), and in training the two extra reductions come with
    /// the input's gradient anyway.
    static func backwardPrimitive(_ configuration: Configuration) throws -> DNNLPrimitive {
        let forward = try forwardPrimitive(configuration)
        return try DNNLPrimitiveCache.primitive("\(configuration.key) backward") {
            var data = configuration.format.desc
            var description = dnnl_batch_normalization_desc_t()
            try DNNLRuntime.check(
                dnnl_batch_normalization_backward_desc_init(
                    &description, dnnl_backward, &data, &data, configuration.epsilon, configuration.flags),
                "batchNorm backward")
            var descriptor: dnnl_primitive_desc_t?
            try DNNLRuntime.check(
                dnnl_primitive_desc_create(&descriptor, &description, nil, DNNLRuntime.engine, forward.descriptor),
                "batchNorm backward")
            return try DNNLPrimitive(descriptor: descriptor!, op: "batchNorm backward")
        }
    }

    /// Normalises `source` into `destination` (both in the configuration's
    /// layout). With batch statistics, `mean` and `variance` are written;
    /// with given ones, read.
    static func forward(_ configuration: Configuration, source: TensorStorage, scale: TensorStorage,
                        shift: TensorStorage, mean: TensorStorage, variance: TensorStorage,
                        destination: TensorStorage) throws {
        let primitive = try forwardPrimitive(configuration)
        let format = configuration.format
        try primitive.execute([
            (DNNL_ARG_SRC, format, source.pointer),
            (DNNL_ARG_DST, format, destination.pointer),
            (DNNL_ARG_SCALE, primitive.format(ofArgument: DNNL_ARG_SCALE), scale.pointer),
            (DNNL_ARG_SHIFT, primitive.format(ofArgument: DNNL_ARG_SHIFT), shift.pointer),
            (DNNL_ARG_MEAN, primitive.format(ofArgument: DNNL_ARG_MEAN), mean.pointer),
            (DNNL_ARG_VARIANCE, primitive.format(ofArgument: DNNL_ARG_VARIANCE), variance.pointer),
        ], op: "batchNorm")
    }

    /// The vector-Jacobian product. oneDNN needs SHIFT as an input here even
    /// though the result does not depend on it (notes/native-libs.md §2).
    static func backward(_ configuration: Configuration, source: TensorStorage, mean: TensorStorage,
                         variance: TensorStorage, scale: TensorStorage, shift: TensorStorage,
                         diffDestination: TensorStorage, diffSource: TensorStorage,
                         diffScale: TensorStorage, diffShift: TensorStorage) throws {
        let primitive = try backwardPrimitive(configuration)
        let format = configuration.format
        let vector = primitive.format(ofArgument: DNNL_ARG_SCALE)
        try primitive.execute([
            (DNNL_ARG_SRC, format, source.pointer),
            (DNNL_ARG_MEAN, vector, mean.pointer),
            (DNNL_ARG_VARIANCE, vector, variance.pointer),
            (DNNL_ARG_SCALE, vector, scale.pointer),
            (DNNL_ARG_SHIFT, vector, shift.pointer),
            (DNNL_ARG_DIFF_DST, format, diffDestination.pointer),
            (DNNL_ARG_DIFF_SRC, format, diffSource.pointer),
            (DNNL_ARG_DIFF_SCALE, vector, diffScale.pointer),
            (DNNL_ARG_DIFF_SHIFT, vector, diffShift.pointer),
        ], op: "batchNorm backward")
    }

    /// `running = (1 - momentum)·running + momentum·factor·batch`, in place
    /// over `count` floats; `factor` turns the biased batch variance into the
    /// unbiased one PyTorch keeps (n/(n-1)), 1 for the mean.
    static func updateRunning(_ running: TensorStorage, with batch: TensorStorage, count: Int,
                              momentum: Float, factor: Float) {
        let r = running.pointer.assumingMemoryBound(to: Float.self)
        let b = batch.pointer.assumingMemoryBound(to: Float.self)
        for i in 0..<count { r[i] = (1 - momentum) * r[i] + momentum * (b[i] * factor) }
    }

    /// A vector of `count` copies of `value`, for absent scale or shift.
    static func filled(_ count: Int, _ value: Float) -> TensorStorage {
        let storage = TensorStorage(byteCount: count * 4)
        storage.pointer.assumingMemoryBound(to: Float.self).initialize(repeating: value, count: count)
        return storage
    }
}
