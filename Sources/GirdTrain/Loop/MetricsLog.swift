import Foundation

/// What one epoch of a run measured.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// From 0.
    public var epoch: Int
    /// Mean of the step losses of the epoch.
    public var trainLoss: Double
    public var testTop1: Double
    public var testTop5: Double
    public var testLoss: Double
    /// The rate of the epoch's first step.
    public var learningRate: Double
    /// Wall time of the epoch, training and evaluation.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case epoch, trainLoss = "train_loss", testTop1 = "test_top1", testTop5 = "test_top5", testLoss = "test_loss"
        case learningRate = "lr", seconds
    }
}

/// `metrics.jsonl` (one JSON object per epoch) and `metrics.csv` (a header
/// and one row per epoch) in the run directory, rewritten whole after each
/// epoch from the run's history, so that a resumed run's files are the
/// uninterrupted run's.
enum MetricsLog {
    static let columns = ["epoch", "train_loss", "test_top1", "test_top5", "test_loss", "lr", "seconds"]

    static func write(_ history: [EpochRecord], to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var jsonLines = ""
        for record in history {
            jsonLines += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
        }
        var csv = columns.joined(separator: ",") + "\n"
        for record in history {
            let fields: [String] = [String(record.epoch), "\(record.trainLoss)", "\(record.testTop1)", "\(record.testTop5)",
                                    "\(record.testLoss)", "\(record.learningRate)", "\(record.seconds)"]
            csv += fields.joined(separator: ",") + "\n"
        }
        try Data(jsonLines.utf8).write(to: URL(fileURLWithPath: directory + "/metrics.jsonl"), options: .atomic)
        try Data(csv.utf8).write(to: URL(fileURLWithPath: directory + "/metrics.csv"), options: .atomic)
    }
}
