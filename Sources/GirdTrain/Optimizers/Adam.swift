import Foundation
import GirdTensor

/// Adam (Kingma & Ba, 2015) exactly as `torch.optim.Adam` of PyTorch 1.13,
/// `amsgrad` and `maximize` false. For each parameter p with gradient g, on
/// its t-th step (t counts from 1):
///
///     g  = g + weightDecay · p                  L2 decay, folded into the gradient
///     m  = β1 · m + (1 − β1) · g                m, v start at 0
///     v  = β2 · v + (1 − β2) · g²
///     p  = p − lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// The bias corrections 1 − βᵗ are computed in Double, as PyTorch computes
/// them in Python floats, and rounded to Float once.
public final class Adam: AdamBase {
    public init(parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                epsilon: Float = 1e-8, weightDecay: Float = 0) throws {
        try super.init(op: "Adam", parameters: parameters, learningRate: learningRate, betas: betas,
                       epsilon: epsilon, weightDecay: weightDecay)
    }

    override func decayedGradient(of parameter: Tensor, gradient: Tensor) throws -> Tensor {
        weightDecay != 0 ? try gradient + parameter * weightDecay : gradient
    }
}

/// AdamW (Loshchilov & Hutter, 2019) exactly as `torch.optim.AdamW` of
/// PyTorch 1.13, `amsgrad` and `maximize` false: Adam without L2 in the
/// gradient, the parameter shrunk instead before the update,
///
///     p  = p · (1 − lr · weightDecay)
///     m, v, p as Adam with weightDecay 0.
public final class AdamW: AdamBase {
    public init(parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                epsilon: Float = 1e-8, weightDecay: Float = 1e-2) throws {
        try super.init(op: "AdamW", parameters: parameters, learningRate: learningRate, betas: betas,
                       epsilon: epsilon, weightDecay: weightDecay)
    }

    override func decayedGradient(of parameter: Tensor, gradient: Tensor) throws -> Tensor {
        // PyTorch forms 1 − lr·wd in Python floats, then rounds it to the tensor's type.
        try parameter.scale(by: Float(1 - Double(learningRate) * Double(weightDecay)))
        return gradient
    }
}

/// What Adam and AdamW share: settings, per-parameter state and the update;
/// they differ only in how weight decay enters (`decayedGradient`).
public class AdamBase: Optimizer {
    let op: String
    public let parameters: [Tensor]
    public var learningRate: Float
    public let betas: (Float, Float)
    public let epsilon: Float
    public let weightDecay: Float
    /// One state per parameter, nil until its first step (checkpoints save them).
    public private(set) var states: [AdamState?]

    init(op: String, parameters: [Tensor], learningRate: Float, betas: (Float, Float), epsilon: Float,
         weightDecay: Float) throws {
        try validateAdamSettings(op: op, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay)
        self.op = op
        self.parameters = parameters
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        states = Array(repeating: nil, count: parameters.count)
    }

    /// The gradient the update uses, after applying weight decay its way.
    func decayedGradient(of parameter: Tensor, gradient: Tensor) throws -> Tensor {
        preconditionFailure("\(type(of: self)) must override decayedGradient(of:gradient:)")
    }

    public func step() throws {
        try GradMode.withoutGradient {
            for (index, parameter) in parameters.enumerated() {
                guard let gradient = parameter.grad else { continue }
                let decayed = try decayedGradient(of: parameter, gradient: gradient)
                states[index] = try adamUpdate(parameter, gradient: decayed, state: states[index], learningRate: learningRate,
                                               betas: betas, epsilon: epsilon)
            }
        }
    }

    /// Replaces the per-parameter states (restoring a checkpoint); the
    /// optimizer then owns the given tensors and updates them in place.
    public func restoreStates(_ states: [AdamState?]) throws {
        try validateAdamStates(op: op, states, parameters: parameters)
        self.states = states
    }
}

/// What Adam and AdamW remember about one parameter: PyTorch's `step`,
/// `exp_avg` and `exp_avg_sq`.
public struct AdamState {
    /// Steps taken on this parameter (t of the bias corrections).
    public var step: Int
    /// m, the running average of the gradient.
    public var average: Tensor
    /// v, the running average of the squared gradient.
    public var squaredAverage: Tensor

    public init(step: Int, average: Tensor, squaredAverage: Tensor) {
        self.step = step
        self.average = average
        self.squaredAverage = squaredAverage
    }
}

/// One Adam update of `parameter` in place; returns the advanced state.
private func adamUpdate(_ parameter: Tensor, gradient: Tensor, state: AdamState?, learningRate: Float,
                        betas: (Float, Float), epsilon: Float) throws -> AdamState {
    var state = state ?? AdamState(step: 0, average: Tensor.zeros(parameter.shape), squaredAverage: Tensor.zeros(parameter.shape))
    state.step += 1
    let (beta1, beta2) = (Double(betas.0), Double(betas.1))
    try state.average.scale(by: betas.0)
    try state.average.add(gradient, scaledBy: Float(1 - beta1))
    try state.squaredAverage.scale(by: betas.1)
    try state.squaredAverage.add(gradient.square(), scaledBy: Float(1 - beta2))
    // pow, not repeated products: CPython's `beta ** step` calls the C library's pow.
    let biasCorrection1 = 1 - pow(beta1, Double(state.step))
    let biasCorrection2 = 1 - pow(beta2, Double(state.step))
    let stepSize = Double(learningRate) / biasCorrection1
    let denominator = try state.squaredAverage.sqrt() / Float(biasCorrection2.squareRoot()) + epsilon
    try parameter.add(state.average / denominator, scaledBy: Float(-stepSize))
    return state
}

private func validateAdamSettings(op: String, learningRate: Float, betas: (Float, Float), epsilon: Float,
                                  weightDecay: Float) throws {
    guard learningRate >= 0, epsilon >= 0, weightDecay >= 0 else {
        throw TensorError.invalidArgument(
            op: op, message: "learning rate, epsilon and weight decay must be non-negative, got \(learningRate), \(epsilon), \(weightDecay)")
    }
    guard (0..<1).contains(betas.0), (0..<1).contains(betas.1) else {
        throw TensorError.invalidArgument(op: op, message: "betas must lie in [0, 1), got (\(betas.0), \(betas.1))")
    }
}

private func validateAdamStates(op: String, _ states: [AdamState?], parameters: [Tensor]) throws {
    guard states.count == parameters.count else {
        throw TensorError.invalidArgument(op: op, message: "\(states.count) states for \(parameters.count) parameters")
    }
    for (state, parameter) in zip(states, parameters) {
        guard let state else { continue }
        guard state.step >= 1 else {
            throw TensorError.invalidArgument(op: op, message: "a saved state must have taken at least 1 step, got \(state.step)")
        }
        for moment in [state.average, state.squaredAverage] where moment.shape != parameter.shape {
            throw TensorError.shapeMismatch(op: "\(op) state", lhs: parameter.shape, rhs: moment.shape)
        }
    }
}
