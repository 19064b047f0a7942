import Foundation

/// How a run writes TensorBoard's event files: every `every` optimizer
/// steps (the means over those steps; 0: at epochs only) and at the end of
/// every epoch. `TrainingConfiguration.tensorBoard` nil writes none.
public struct TensorBoardSettings: Equatable, Sendable {
    public var every: Int
    /// At each epoch's end, the objective's matrices as images
    /// (`TrainingObjective.epochImages`: GIRD's relations of a fixed batch).
    public var relationImages: Bool

    public init(every: Int = 50, relationImages: Bool = false) {
        self.every = every
        self.relationImages = relationImages
    }
}

/// The trainer's event file. Tags, with the step TensorBoard plots them at:
///
/// - every `every` steps, at the number of optimizer steps done:
///   `loss/total`, `loss/<term>` (each term's weighted value: `loss/ce`,
///   `loss/kd`, `loss/gird_sim`, `loss/gird_evo`), `train/top1`,
///   `train/top5`, `lr`, `images_per_second`;
/// - every epoch, at the epoch's number from 1 (so that runs of other batch
///   sizes line up): `epoch/loss/total`, `epoch/loss/<term>`,
///   `epoch/train_top1`, `epoch/train_top5`, `epoch/test_top1`,
///   `epoch/test_top5`, `epoch/test_loss`, `epoch/val_top1`,
///   `epoch/val_loss`, `epoch/lr`, `epoch/images_per_second`: the figures
///   of `metrics.jsonl`.
///
/// With `relationImages`, each epoch also adds the objective's matrices
/// as grey images (`relations/student/<tap>`, `relations/teacher/<tap>`).
///
/// Accuracies are fractions, as in `metrics.jsonl`. A resumed run adds a
/// second file; TensorBoard reads both as one run.
final class TrainingEventLog {
    let writer: EventFileWriter
    let every: Int
    let terms: [String]
    private var window = Window()

    private struct Window {
        var steps = 0, images = 0
        var loss = 0.0
        var terms: [Double] = []
        var accuracy = TrainingAccuracy()
        var learningRate: Float = 0
        var started = DispatchTime.now().uptimeNanoseconds
    }

    init(directory: String, settings: TensorBoardSettings, terms: [String]) throws {
        writer = try EventFileWriter(directory: directory)
        every = settings.every
        relationImages = settings.relationImages
        self.terms = terms
    }

    let relationImages: Bool

    /// Each matrix at 4 x 4 pixels a cell (a 32-image batch: 128 x 128).
    func images(_ images: [EpochImage], epoch: Int) throws {
        let values = try images.map { image in
            SummaryValue.image(tag: image.tag, png: try GrayscalePNG.encode(image.values, rows: image.rows, columns: image.columns,
                                                                            low: image.low, high: image.high, scale: 4),
                               height: image.rows * 4, width: image.columns * 4, channels: 1)
        }
        try writer.write(step: epoch + 1, values: values)
    }

    func step(_ globalStep: Int, loss: Double, terms values: [Double], accuracy: TrainingAccuracy?, images: Int,
              learningRate: Float) throws {
        guard every > 0 else { return }
        window.steps += 1
        window.images += images
        window.loss += loss
        window.terms = window.terms.isEmpty ? values : zip(window.terms, values).map(+)
        if let accuracy { window.accuracy = window.accuracy + accuracy }
        window.learningRate = learningRate
        guard globalStep % every == 0 else { return }
        let steps = Double(window.steps)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - window.started) * 1e-9
        var values: [SummaryValue] = [.scalar(tag: "loss/total", value: Float(window.loss / steps))]
        values += zip(terms, window.terms).map { .scalar(tag: "loss/\($0)", value: Float($1 / steps)) }
        if let top1 = window.accuracy.top1Fraction, let top5 = window.accuracy.top5Fraction {
            values += [.scalar(tag: "train/top1", value: Float(top1)), .scalar(tag: "train/top5", value: Float(top5))]
        }
        values += [.scalar(tag: "lr", value: window.learningRate),
                   .scalar(tag: "images_per_second", value: Float(Double(window.images) / max(seconds, 1e-9)))]
        try writer.write(step: globalStep, values: values)
        window = Window()
    }

    func epoch(_ record: EpochRecord, imagesPerSecond: Double) throws {
        var figures: [(String, Double?)] = [("loss/total", record.trainLoss)]
        figures += terms.map { ("loss/\($0)", record.termLosses[$0]) }
        figures += [("train_top1", record.trainTop1), ("train_top5", record.trainTop5),
                    ("test_top1", record.testTop1), ("test_top5", record.testTop5), ("test_loss", record.testLoss),
                    ("val_top1", record.valTop1), ("val_loss", record.valLoss),
                    ("lr", record.learningRate), ("images_per_second", imagesPerSecond)]
        let values = figures.compactMap { tag, value in value.map { SummaryValue.scalar(tag: "epoch/" + tag, value: Float($0)) } }
        try writer.write(step: record.epoch + 1, values: values)
    }
}
