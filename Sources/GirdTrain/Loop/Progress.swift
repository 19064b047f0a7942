import Foundation

/// How a run reports itself on standard error.
public enum ProgressStyle: Sendable {
    /// `.terminal` when standard error is a terminal, else `.plain`.
    case automatic
    /// A line redrawn in place after every step, and a plain line per epoch.
    case terminal
    /// One plain line per epoch, no escape codes (pipes, CI logs).
    case plain
    case silent

    var resolved: ProgressStyle {
        guard case .automatic = self else { return self }
        return isatty(STDERR_FILENO) != 0 ? .terminal : .plain
    }
}

/// Writes the progress lines; `write` is standard error unless a test replaces it.
struct ProgressReporter {
    let style: ProgressStyle
    let epochs: Int
    /// Printed before every line, with a colon (a sweep's run directory).
    let label: String?
    var write: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    init(style: ProgressStyle, epochs: Int, label: String? = nil) {
        self.style = style.resolved
        self.epochs = epochs
        self.label = label
    }

    private var prefix: String { label.map { "\($0): " } ?? "" }

    /// After each step, on a terminal: carriage return, clear the line, redraw.
    func step(epoch: Int, batch: Int, batches: Int, loss: Double, imagesPerSecond: Double, secondsLeft: Double) {
        guard case .terminal = style else { return }
        write("\r\u{1B}[2K" + prefix + Self.stepLine(epoch: epoch, epochs: epochs, batch: batch, batches: batches, loss: loss,
                                            imagesPerSecond: imagesPerSecond, secondsLeft: secondsLeft))
    }

    /// Ends a step line left half-drawn on a terminal, so that what follows
    /// (an interruption's message, an error) starts on its own line.
    func stopped() {
        if case .terminal = style { write("\n") }
    }

    func epochEnded(_ record: EpochRecord, terms: [String] = []) {
        switch style {
        case .terminal: write("\r\u{1B}[2K" + prefix + Self.epochLine(record, epochs: epochs, terms: terms) + "\n")
        case .plain: write(prefix + Self.epochLine(record, epochs: epochs, terms: terms) + "\n")
        case .silent, .automatic: break
        }
    }

    /// `epoch 2/30  batch 17/782  loss 1.2346  812 img/s  ETA 1:02:05` (epoch and batch from 1).
    static func stepLine(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, imagesPerSecond: Double,
                         secondsLeft: Double) -> String {
        "epoch \(epoch + 1)/\(epochs)  batch \(batch + 1)/\(batches)  loss \(fixed(loss, 4))  "
            + "\(Int(imagesPerSecond.rounded())) img/s  ETA \(duration(secondsLeft))"
    }

    /// `epoch 1/30  train loss 2.3026  test top-1 10.00%  top-5 50.00%  test loss 2.3026  lr 0.05  12.3 s` (epoch from 1);
    /// a distillation's terms follow its train loss: `train loss 1.7282 (ce 0.5210 kd 0.9134 gird 0.2938)`.
    static func epochLine(_ record: EpochRecord, epochs: Int, terms: [String] = []) -> String {
        let parts = terms.compactMap { name in record.termLosses[name].map { "\(name) \(fixed($0, 4))" } }
        return "epoch \(record.epoch + 1)/\(epochs)  train loss \(fixed(record.trainLoss, 4))"
            + (parts.isEmpty ? "" : " (" + parts.joined(separator: " ") + ")") + "  "
            + "test top-1 \(fixed(record.testTop1 * 100, 2))%  top-5 \(fixed(record.testTop5 * 100, 2))%  "
            + "test loss \(fixed(record.testLoss, 4))"
            + (record.valTop1.map { "  val top-1 \(fixed($0 * 100, 2))%" } ?? "")
            + "  lr \(Float(record.learningRate))  \(fixed(record.seconds, 1)) s"
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        return String(format: "%.\(digits)f", x)
    }

    /// `m:ss` or `h:mm:ss`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}
