import Foundation
import GirdTensor

/// Eval-mode forward time of a network on a batch of zeros: the median of
/// timed passes after two warm-up ones (which build oneDNN's kernels).
/// Runs at least `minimumRuns` passes and until `minimumSeconds` have
/// passed, so that small models get enough samples on a noisy machine.
public enum InferenceLatency {
    public static func milliseconds(_ network: Network, inputShape: [Int], minimumRuns: Int = 5,
                                    minimumSeconds: Double = 0.5) throws -> Double {
        try MemoryLimit.check(inputShape, what: "a latency input of shape \(formatShape(inputShape))")
        let wasTraining = network.isTraining
        network.eval()
        defer { if wasTraining { network.train() } }
        let input = Tensor.zeros(inputShape)
        var times: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for run in 0... {
            let begin = DispatchTime.now().uptimeNanoseconds
            _ = try GradMode.withoutGradient { try network(input) }
            let end = DispatchTime.now().uptimeNanoseconds
            if run >= 2 { times.append(Double(end - begin) * 1e-6) }
            if times.count >= minimumRuns, Double(end - start) * 1e-9 >= minimumSeconds { break }
        }
        return times.sorted()[times.count / 2]
    }
}
