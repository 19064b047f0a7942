import GirdTensor

/// What `show(t)` prints: the summary line, then, when `mode` is given
/// (the output is a terminal), a heatmap of a matrix or of one channel of
/// a feature map. Other tensors (vectors, scalars, int64, empty ones) get
/// the summary alone.
public enum TensorView {
    public static func show(_ tensor: Tensor, mode: ColorMode?, channel: Int = 0, sample: Int = 0,
                            maxColumns: Int = 64, maxLines: Int = 16) throws -> String {
        let summary = TensorSummary.line(tensor)
        guard let mode, tensor.dtype == .float32, tensor.count > 0, (2 ... 4).contains(tensor.rank) else {
            return summary
        }
        var text = summary + "\n"
        if tensor.rank > 2 {
            text += tensor.rank == 4 ? "sample \(sample), channel \(channel):\n" : "channel \(channel):\n"
        }
        let options = Heatmap.Options(mode: mode, maxColumns: maxColumns, maxLines: maxLines)
        return text + (try Heatmap.render(tensor, channel: channel, sample: sample, options: options)).text
    }
}
