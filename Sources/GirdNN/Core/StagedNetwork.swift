import GirdTensor

/// A residual block that can also hand out its sum before the final ReLU
/// (RepDistiller's `preact` features).
protocol PreactivatingBlock: Layer {
    func forwardWithPreactivation(_ x: Tensor) throws -> (output: Tensor, preact: Tensor)
}

/// The shape most zoo families share: a stem, then stages of
/// pre-activating blocks, each stage offering `stageK.preact` (its last
/// block's sum before the ReLU) and `stageK` as taps.
enum StagedNetwork {
    static func tapNames(stageCount: Int, head: ClassifierHead? = nil) -> [String] {
        ["stem"] + (1...stageCount).flatMap { ["stage\($0).preact", "stage\($0)"] } + ["embedding"]
            + (head?.tapNames ?? []) + ["logits"]
    }

    /// Runs the stages on the stem's output `x`; returns the last stage's output.
    static func forward(_ x: Tensor, stages: [[any PreactivatingBlock]], taps: inout TapRecorder) throws -> Tensor {
        var x = x
        for (index, blocks) in stages.enumerated() {
            var preact = x
            for block in blocks { (x, preact) = try block.forwardWithPreactivation(x) }
            taps.offer("stage\(index + 1).preact", preact)
            taps.offer("stage\(index + 1)", x)
        }
        return x
    }
}
