import CDNNL

/// The memory layout convolutions and batch norm keep activations in, for
/// the whole process (as PyTorch's `memory_format`, but engine-wide: every
/// layer of a network then agrees and nothing is reordered between them).
///
/// Measured here (oneDNN 2.6, Xeon with AVX-512, 2 threads, batch 64, 3x3):
/// blocked is faster for most CIFAR-zoo layers (16->16 and 32->32 by 0-30%,
/// 256->256 at 8x8 by 10-18%, depthwise by 25-40%, the 3-channel stem by
/// 40-50%), channels-last for 64->64 at 32x32 (by 5-25%, most in the
/// backward passes). Blocked is the default there; a user who trains a
/// network dominated by wide layers at full resolution may choose
/// channels-last.
///
/// Without AVX-512 (AMD EPYC with AVX2, measured, 2 threads) oneDNN's
/// convolutions block by 8 channels, not 16, and batch norm's fast kernels
/// want 16 or NHWC: blocked would reorder at every conv -> BN edge, and was
/// 2.3-7.7x slower per training step than channels-last (KD resnet32x4 ->
/// resnet8x4 4152 vs 1735 ms; KD + GIRD resnet20 -> resnet8 857 vs 111 ms).
/// So the default is chosen by the instruction set oneDNN runs on
/// (`ActivationLayout.machineDefault`). The choice changes speed and the
/// order of floating-point sums, never the
/// mathematics: results agree to rounding, and each layout is deterministic.
public enum ActivationLayout: String, Sendable, CaseIterable {
    /// oneDNN's own choice, channel-blocked (`nChw16c` and kin).
    case blocked
    /// NHWC, as PyTorch's `channels_last`.
    case channelsLast = "channels-last"

    /// The layout of the process, `machineDefault` unless a program (or
    /// `gird-bench --layout`) sets another.
    nonisolated(unsafe) public static var preferred: ActivationLayout = machineDefault

    /// Blocked where oneDNN runs AVX-512 kernels (16-channel blocks, which
    /// batch norm shares), channels-last elsewhere (see above).
    public static let machineDefault: ActivationLayout = {
        let avx512 = dnnl_cpu_isa_avx512_core.rawValue
        return dnnl_get_effective_cpu_isa().rawValue & avx512 == avx512 ? .blocked : .channelsLast
    }()

    /// The tag a convolution primitive is asked for its activations.
    var convolutionTag: dnnl_format_tag_t {
        self == .blocked ? dnnl_format_tag_any : dnnl_nhwc
    }

    /// The layout batch norm moves a plain 4-D input to (its plain-layout
    /// kernel is ~10x slower than either of these).
    var normalizationTag: dnnl_format_tag_t {
        self == .blocked ? dnnl_nChw16c : dnnl_nhwc
    }
}
