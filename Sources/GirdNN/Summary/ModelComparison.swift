import Foundation
import GirdTensor

/// A student against its teacher, the headline of compression work: how
/// many times fewer parameters and MACs, and how much faster in eval mode
/// at batch 1 (one request) and 64 (throughput), measured here.
public struct ModelComparison: Sendable {
    public struct Latency: Sendable {
        public var batch: Int
        /// Median milliseconds of one eval forward pass.
        public var student: Double
        public var teacher: Double
        public var speedup: Double { teacher / student }
    }

    public var student: ModelSummary
    public var teacher: ModelSummary
    public var latencies: [Latency]
    /// Teacher over student.
    public var parameterRatio: Double { Double(teacher.parameters) / Double(max(student.parameters, 1)) }
    public var multiplyAccumulateRatio: Double {
        Double(teacher.multiplyAccumulates) / Double(max(student.multiplyAccumulates, 1))
    }

    /// `inputShape` is one image's [C, H, W].
    public static func make(student: Network, teacher: Network, inputShape: [Int], batches: [Int] = [1, 64]) throws -> ModelComparison {
        let one = [1] + inputShape
        let latencies = try batches.map { batch in
            Latency(batch: batch,
                    student: try InferenceLatency.milliseconds(student, inputShape: [batch] + inputShape),
                    teacher: try InferenceLatency.milliseconds(teacher, inputShape: [batch] + inputShape))
        }
        return ModelComparison(student: try ModelSummary.make(student, inputShape: one),
                               teacher: try ModelSummary.make(teacher, inputShape: one), latencies: latencies)
    }

    /// `teacher resnet20: 272,474 parameters, 40.55 M MACs; student resnet8: ... (3.5x fewer parameters, 3.3x fewer MACs)`
    /// and a line per batch size.
    public var text: String {
        func describe(_ summary: ModelSummary) -> String {
            "\(summary.network) \(summary.grouped(summary.parameters)) parameters, "
                + String(format: "%.2f M MACs", Double(summary.multiplyAccumulates) / 1e6)
        }
        var lines = ["teacher \(describe(teacher)); student \(describe(student)): "
            + String(format: "%.2fx fewer parameters, %.2fx fewer MACs", parameterRatio, multiplyAccumulateRatio)]
        for latency in latencies {
            let threads = ComputeThreads.count
            lines.append(String(format: "eval latency at batch %d: teacher %.2f ms, student %.2f ms (%.2fx faster",
                                latency.batch, latency.teacher, latency.student, latency.speedup)
                + "; \(threads) thread\(threads == 1 ? "" : "s"))")
        }
        return lines.joined(separator: "\n")
    }
}
