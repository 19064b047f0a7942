import Foundation
import GirdNN
import GirdTensor

/// What a run will add to the process's memory once it steps, checked
/// against what the machine has before step 1: a batch size or an image
/// size a recipe got wrong fails with the figures, not with the kernel's
/// out-of-memory killer hours later (Linux overcommits: allocations succeed
/// and the process dies when the pages are touched).
///
/// The weights, the datasets and the methods' banks already exist when the
/// check runs; what is counted is what the steps allocate:
/// - gradients: one value per trainable value (model and the methods' modules);
/// - optimizer state: SGD's momentum buffer (one per value, with momentum),
///   Adam's and AdamW's two moments;
/// - activations: every convolution's, batch norm's and linear layer's
///   output for one image (`ModelSummary`), times the batch, times
///   `activationFactor`: autograd keeps those outputs, the ReLUs' and the
///   residual sums' beside them, and the backward pass's transients;
/// - the loader's queue: `prefetch` + 2 batches of float32 images.
/// A frozen teacher runs without the tape and keeps only the taps it hands
/// over, which are not counted. The estimate is meant to be within a factor
/// of two of the peak (measured figures in docs/reliability.md), which is
/// enough to tell a run that fits from one that is ten times too big.
public struct MemoryEstimate: Equatable, Sendable {
    public static let activationFactor = 2

    public var gradients: Int
    public var optimizerState: Int
    public var activations: Int
    public var loaderQueue: Int
    /// The images of a step's batch the activations are counted for.
    public var batch: Int

    public var total: Int { gradients + optimizerState + activations + loaderQueue }

    /// For `model` trained on `batch` images of `imageShape` ([C, H, W]),
    /// with `trainableValues` values in all (model and auxiliary modules).
    public static func make(model: Network, trainableValues: Int, optimizer: TrainingConfiguration.OptimizerKind,
                            momentum: Float, batch: Int, imageShape: [Int], prefetch: Int = 2) throws -> MemoryEstimate {
        let summary = try ModelSummary.make(model, inputShape: [1] + imageShape)
        let perImage = summary.rows.reduce(0) { $0 + $1.outputShape.reduce(1, *) }
        let states = optimizer == .sgd ? (momentum != 0 ? 1 : 0) : 2
        func product(_ factors: Int...) -> Int {
            factors.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        }
        return MemoryEstimate(gradients: product(trainableValues, 4), optimizerState: product(trainableValues, 4, states),
                              activations: product(perImage, batch, 4, activationFactor),
                              loaderQueue: product(prefetch + 2, batch, imageShape.reduce(1, *), 4), batch: batch)
    }

    /// The memory this process can still take, and where the figure comes
    /// from: /proc/meminfo's MemAvailable, or the cgroup's limit less its
    /// usage when that is smaller (a container, a Slurm job); nil when
    /// neither can be read.
    public static func available() -> (bytes: Int, source: String)? {
        var best: (bytes: Int, source: String)?
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
            best = (kilobytes * 1024, "MemAvailable in /proc/meminfo")
        }
        if let limit = number("/sys/fs/cgroup/memory.max"), let used = number("/sys/fs/cgroup/memory.current"),
           limit - used < best?.bytes ?? .max {
            best = (max(0, limit - used), "the cgroup's memory.max less memory.current")
        }
        return best
    }

    private static func number(_ path: String) -> Int? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Throws `TrainingError.notEnoughMemory` when the estimate exceeds
    /// `available` bytes.
    public func check(available: Int, source: String) throws {
        guard total > available else { return }
        throw TrainingError.notEnoughMemory(
            "this run needs about \(MemoryLimit.describe(bytes: total)) more once it steps (activations of a batch of "
                + "\(batch) \(MemoryLimit.describe(bytes: activations)), gradients \(MemoryLimit.describe(bytes: gradients)), "
                + "optimizer state \(MemoryLimit.describe(bytes: optimizerState)), loader queue "
                + "\(MemoryLimit.describe(bytes: loaderQueue))) and \(MemoryLimit.describe(bytes: available)) is available "
                + "(\(source)); lower the batch size or the image size")
    }
}
