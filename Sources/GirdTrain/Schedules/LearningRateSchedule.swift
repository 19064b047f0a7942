import Foundation
import GirdTensor

/// The learning rate of each optimizer step, as a function of where training
/// is. With S steps per epoch and E epochs, the step about to be taken is
/// t = epoch·S + step (epoch and step count from 0) of T = E·S, and the rate
/// for a base rate b is
///
///     constant                 b
///     multiStep(milestones, γ) b · γᵏ, k = number of milestones m ≤ epoch
///                              (RepDistiller's CIFAR schedule [150, 180, 210],
///                              0.1: epoch 149, the 150th, still at b; epoch 150
///                              at b/10; as torch's MultiStepLR stepped per epoch)
///     cosine                   b · (1 + cos(π·t / T)) / 2
///                              (torch's CosineAnnealingLR, T_max = T, eta_min 0,
///                              stepped per batch: b at t = 0, b·sin²(π / 2T) on the
///                              last step t = T − 1, 0 at the end t = T)
///     warmup(W, then: inner)   b · (t + 1) / (W·S)        for t < W·S
///                              inner at (epoch − W, step) of E − W epochs, after
///
/// so a warm-up climbs linearly from b/(W·S) to exactly b on its last step, and
/// the inner schedule starts afresh on the next, its epochs counted from the end
/// of the warm-up (multiStep milestones move W epochs later, a cosine spans the
/// epochs that remain). The base rate and the rates are computed in Double,
/// as Python computes them, and rounded to the optimizer's Float once: a Float
/// base 0.05 would put RepDistiller's last rate, 0.05 · 0.1³, 1 ulp off.
///
/// The position after the last step (epoch = E, step 0) is accepted too: it is
/// the rate "at the end of training", 0 for a cosine.
///
/// A schedule is `Codable` as its kind (`{"cosine": {}}`, `{"multiStep":
/// {"milestones": [150, 180, 210], "gamma": 0.1}}`, `{"warmup": {"epochs": 5,
/// "then": {...}}}`), checked again when decoded.
public struct LearningRateSchedule: Equatable, Sendable, Codable, CustomStringConvertible {
    public indirect enum Kind: Equatable, Sendable, Codable {
        case constant
        case multiStep(milestones: [Int], gamma: Double)
        case cosine
        case warmup(epochs: Int, then: Kind)
    }

    public let kind: Kind

    public func encode(to encoder: Encoder) throws { try kind.encode(to: encoder) }

    /// A stored schedule passes the factories' checks again: a hand-edited
    /// file cannot smuggle in a schedule the API would refuse.
    public init(from decoder: Decoder) throws {
        self = try Self.checked(try Kind(from: decoder))
    }

    private init(kind: Kind) { self.kind = kind }

    private static func checked(_ kind: Kind) throws -> LearningRateSchedule {
        switch kind {
        case .constant: return .constant
        case .cosine: return .cosine
        case let .multiStep(milestones, gamma): return try .multiStep(milestones: milestones, gamma: gamma)
        case let .warmup(epochs, inner): return try .warmup(epochs: epochs, then: checked(inner))
        }
    }

    public static let constant = LearningRateSchedule(kind: .constant)
    public static let cosine = LearningRateSchedule(kind: .cosine)

    /// `milestones` are epochs (from 0), strictly increasing. `gamma` is a
    /// Double so that γᵏ is Python's `0.1 ** k`: a Float 0.1 would put the
    /// decayed rates 1 ulp off RepDistiller's.
    public static func multiStep(milestones: [Int], gamma: Double) throws -> LearningRateSchedule {
        guard milestones.allSatisfy({ $0 >= 1 }), zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw TensorError.invalidArgument(
                op: "multiStep", message: "milestones must be positive epochs in increasing order, got \(milestones)")
        }
        guard gamma > 0 else {
            throw TensorError.invalidArgument(op: "multiStep", message: "gamma must be positive, got \(gamma)")
        }
        return LearningRateSchedule(kind: .multiStep(milestones: milestones, gamma: gamma))
    }

    public static func warmup(epochs: Int, then schedule: LearningRateSchedule) throws -> LearningRateSchedule {
        guard epochs >= 1 else {
            throw TensorError.invalidArgument(op: "warmup", message: "a warm-up lasts at least 1 epoch, got \(epochs)")
        }
        return LearningRateSchedule(kind: .warmup(epochs: epochs, then: schedule.kind))
    }

    /// The rate for the step `step` (from 0) of epoch `epoch` (from 0) of a run
    /// of `epochs` epochs of `stepsPerEpoch` steps each.
    public func learningRate(base: Double, epoch: Int, step: Int, stepsPerEpoch: Int, epochs: Int) throws -> Float {
        guard stepsPerEpoch >= 1, epochs >= 1 else {
            throw TensorError.invalidArgument(
                op: "learning rate schedule", message: "a run needs at least 1 epoch of 1 step, got \(epochs) of \(stepsPerEpoch)")
        }
        let inRun = (0..<epochs).contains(epoch) && (0..<stepsPerEpoch).contains(step)
        guard inRun || (epoch == epochs && step == 0) else {
            throw TensorError.invalidArgument(
                op: "learning rate schedule",
                message: "step \(step) of epoch \(epoch) is outside a run of \(epochs) epochs of \(stepsPerEpoch) steps")
        }
        return Float(try Self.rate(kind, base: base, epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch, epochs: epochs))
    }

    private static func rate(_ kind: Kind, base: Double, epoch: Int, step: Int, stepsPerEpoch: Int, epochs: Int) throws -> Double {
        switch kind {
        case .constant:
            return base
        case let .multiStep(milestones, gamma):
            let passed = milestones.filter { $0 <= epoch }.count
            return base * pow(gamma, Double(passed))
        case .cosine:
            let t = Double(epoch * stepsPerEpoch + step), total = Double(epochs * stepsPerEpoch)
            return base * (1 + cos(Double.pi * t / total)) / 2
        case let .warmup(warmupEpochs, inner):
            guard warmupEpochs < epochs else {
                throw TensorError.invalidArgument(
                    op: "warmup", message: "a warm-up of \(warmupEpochs) epochs leaves no epoch of a \(epochs)-epoch run")
            }
            let t = epoch * stepsPerEpoch + step, warmupSteps = warmupEpochs * stepsPerEpoch
            if t < warmupSteps { return base * Double(t + 1) / Double(warmupSteps) }
            return try rate(inner, base: base, epoch: epoch - warmupEpochs, step: step, stepsPerEpoch: stepsPerEpoch,
                            epochs: epochs - warmupEpochs)
        }
    }

    public var description: String { Self.describe(kind) }

    private static func describe(_ kind: Kind) -> String {
        switch kind {
        case .constant: return "constant"
        case .cosine: return "cosine"
        case let .multiStep(milestones, gamma): return "multiStep(milestones: \(milestones), gamma: \(gamma))"
        case let .warmup(epochs, inner): return "warmup(epochs: \(epochs), then: \(describe(inner)))"
        }
    }
}
