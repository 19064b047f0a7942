import CDNNL

/// The memory layout convolutions and batch norm keep activations in, for
/// the whole process (as PyTorch's `memory_format`, but engine-wide: every
/// layer of a network then agrees and nothing is reordered between them).
///
/// Measured here (oneDNN 2.6, Xeon with AVX-512, 2 threads, batch 64, 3x3):
/// blocked is faster for most CIFAR-zoo layers (16->16 and 32->32 by 0-30%,
/// 256->256 at 8x8 by 10-18%, depthwise by 25-40%, the 3-channel stem by
/// 40-50%), channels-last for 64->64 at 32x32 (by 5-25%, most in the
/// backward passes). Blocked is the default; a user who trains a network
/// dominated by wide layers at full resolution may choose channels-last.
/// The choice changes speed and the order of floating-point sums, never the
/// mathematics: results agree to rounding, and each layout is deterministic.
public enum ActivationLayout: String, Sendable, CaseIterable {
    /// oneDNN's own choice, channel-blocked (`nChw16c` and kin).
    case blocked
    /// NHWC, as PyTorch's `channels_last`.
    case channelsLast = "channels-last"

    nonisolated(unsafe) public static var preferred: ActivationLayout = .blocked

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
