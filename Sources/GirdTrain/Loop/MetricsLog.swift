import Foundation

/// What one epoch of a run measured. A metric that is not finite (NaN or
/// infinite: a diverged evaluation) is written as JSON `null` and read back
/// as NaN, so that a record can always be saved.
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
    /// Wall time of the epoch, training and evaluation (both parts of an
    /// epoch that was interrupted and resumed).
    public var seconds: Double
    /// On the validation set, when the run has one (`valSet`).
    public var valTop1: Double?
    public var valLoss: Double?
    /// On the epoch's training batches as trained (augmented, training
    /// mode, before each step's update), as RepDistiller's `train_acc`;
    /// nil when the objective does not expose its logits.
    public var trainTop1: Double?
    public var trainTop5: Double?
    /// The epoch's mean of each loss term's weighted value, by term name
    /// (`TrainingObjective.lossTermNames`); they add up to `trainLoss`.
    /// Empty for a plain loss. Written as `loss_<name>`.
    public var termLosses: [String: Double]

    public init(epoch: Int, trainLoss: Double, testTop1: Double, testTop5: Double, testLoss: Double, learningRate: Double,
                seconds: Double, valTop1: Double? = nil, valLoss: Double? = nil, trainTop1: Double? = nil,
                trainTop5: Double? = nil, termLosses: [String: Double] = [:]) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.testTop1 = testTop1
        self.testTop5 = testTop5
        self.testLoss = testLoss
        self.learningRate = learningRate
        self.seconds = seconds
        self.valTop1 = valTop1
        self.valLoss = valLoss
        self.trainTop1 = trainTop1
        self.trainTop5 = trainTop5
        self.termLosses = termLosses
    }

    /// The fixed keys, and `loss_<term>` for each term.
    struct CodingKeys: CodingKey, Equatable {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        var intValue: Int? { nil }

        static let epoch = CodingKeys(stringValue: "epoch"), trainLoss = CodingKeys(stringValue: "train_loss")
        static let testTop1 = CodingKeys(stringValue: "test_top1"), testTop5 = CodingKeys(stringValue: "test_top5")
        static let testLoss = CodingKeys(stringValue: "test_loss"), learningRate = CodingKeys(stringValue: "lr")
        static let seconds = CodingKeys(stringValue: "seconds")
        static let valTop1 = CodingKeys(stringValue: "val_top1"), valLoss = CodingKeys(stringValue: "val_loss")
        static let trainTop1 = CodingKeys(stringValue: "train_top1"), trainTop5 = CodingKeys(stringValue: "train_top5")
        static let termPrefix = "loss_"
        static func term(_ name: String) -> CodingKeys { CodingKeys(stringValue: termPrefix + name) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func metric(_ value: Double, _ key: CodingKeys) throws {
            if value.isFinite { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
        }
        try container.encode(epoch, forKey: .epoch)
        try metric(trainLoss, .trainLoss)
        try metric(testTop1, .testTop1)
        try metric(testTop5, .testTop5)
        try metric(testLoss, .testLoss)
        try metric(learningRate, .learningRate)
        try metric(seconds, .seconds)
        if let valTop1 { try metric(valTop1, .valTop1) }
        if let valLoss { try metric(valLoss, .valLoss) }
        if let trainTop1 { try metric(trainTop1, .trainTop1) }
        if let trainTop5 { try metric(trainTop5, .trainTop5) }
        for (name, value) in termLosses { try metric(value, .term(name)) }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func metric(_ key: CodingKeys) throws -> Double { try container.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        epoch = try container.decode(Int.self, forKey: .epoch)
        trainLoss = try metric(.trainLoss)
        testTop1 = try metric(.testTop1)
        testTop5 = try metric(.testTop5)
        testLoss = try metric(.testLoss)
        learningRate = try metric(.learningRate)
        seconds = try metric(.seconds)
        valTop1 = container.contains(.valTop1) ? try metric(.valTop1) : nil
        valLoss = container.contains(.valLoss) ? try metric(.valLoss) : nil
        trainTop1 = container.contains(.trainTop1) ? try metric(.trainTop1) : nil
        trainTop5 = container.contains(.trainTop5) ? try metric(.trainTop5) : nil
        termLosses = [:]
        for key in container.allKeys where key.stringValue.hasPrefix(CodingKeys.termPrefix) {
            termLosses[String(key.stringValue.dropFirst(CodingKeys.termPrefix.count))] = try metric(key)
        }
    }
}

/// `metrics.jsonl` (one JSON object per epoch) and `metrics.csv` (a header
/// and one row per epoch) in the run directory, rewritten whole after each
/// epoch from the run's history, so that a resumed run's files are the
/// uninterrupted run's. The loss terms' columns (`loss_ce`, `loss_kd`, ...)
/// come last, in the objective's term order.
enum MetricsLog {
    static let columns = ["epoch", "train_loss", "test_top1", "test_top5", "test_loss", "lr", "seconds"]
    static let validationColumns = ["val_top1", "val_loss"]
    static let trainingAccuracyColumns = ["train_top1", "train_top5"]

    static func write(_ history: [EpochRecord], terms: [String] = [], to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var jsonLines = ""
        for record in history {
            jsonLines += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
        }
        let validated = history.contains { $0.valTop1 != nil }
        let trainAccuracy = history.contains { $0.trainTop1 != nil }
        let termColumns = terms.map { EpochRecord.CodingKeys.termPrefix + $0 }
        var csv = (columns + (validated ? validationColumns : []) + (trainAccuracy ? trainingAccuracyColumns : [])
                   + termColumns).joined(separator: ",") + "\n"
        for record in history {
            var fields: [String] = [String(record.epoch), "\(record.trainLoss)", "\(record.testTop1)", "\(record.testTop5)",
                                    "\(record.testLoss)", "\(record.learningRate)", "\(record.seconds)"]
            if validated { fields += [record.valTop1.map { "\($0)" } ?? "", record.valLoss.map { "\($0)" } ?? ""] }
            if trainAccuracy { fields += [record.trainTop1.map { "\($0)" } ?? "", record.trainTop5.map { "\($0)" } ?? ""] }
            fields += terms.map { name in record.termLosses[name].map { "\($0)" } ?? "" }
            csv += fields.joined(separator: ",") + "\n"
        }
        try Data(jsonLines.utf8).write(to: URL(fileURLWithPath: directory + "/metrics.jsonl"), options: .atomic)
        try Data(csv.utf8).write(to: URL(fileURLWithPath: directory + "/metrics.csv"), options: .atomic)
    }
}
