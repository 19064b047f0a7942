import GirdTensor

/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight
/// decay, exactly as `torch.optim.SGD` (dampening 0):
///
///     d = g + weightDecay · p
///     b = d                       on the first step of p
///     b = momentum · b + d        afterwards
///     d = d + momentum · b        with Nesterov, else d = b
///     p = p − lr · d
///
/// The momentum buffers are this optimizer's state (checkpoints save them).
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// One buffer per parameter, nil until its first step.
    public private(set) var momentumBuffers: [Tensor?]

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0,
                nesterov: Bool = false) throws {
        guard learningRate >= 0, momentum >= 0, weightDecay >= 0 else {
            throw TensorError.invalidArgument(
                op: "SGD", message: "learning rate, momentum and weight decay must be non-negative, got \(learningRate), \(momentum), \(weightDecay)")
        }
        guard !nesterov || momentum > 0 else {
            throw TensorError.invalidArgument(op: "SGD", message: "Nesterov momentum requires a momentum above 0")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() throws {
        try GradMode.withoutGradient {
            for (index, parameter) in parameters.enumerated() {
                guard let gradient = parameter.grad else { continue }
                var direction = gradient
                if weightDecay != 0 {
                    direction = try gradient + parameter * weightDecay
                }
                if momentum != 0 {
                    let buffer: Tensor
                    if let existing = momentumBuffers[index] {
                        try existing.scale(by: momentum)
                        try existing.add(direction, scaledBy: 1)
                        buffer = existing
                    } else {
                        buffer = Tensor.zeros(parameter.shape)
                        try buffer.copyValues(from: direction)
                        momentumBuffers[index] = buffer
                    }
                    direction = nesterov ? try direction + buffer * momentum : buffer
                }
                try parameter.add(direction, scaledBy: -learningRate)
            }
        }
    }

    /// Replaces the momentum buffers (restoring a checkpoint).
    public func restoreMomentumBuffers(_ buffers: [Tensor?]) throws {
        guard buffers.count == parameters.count else {
            throw TensorError.invalidArgument(op: "SGD", message: "\(buffers.count) momentum buffers for \(parameters.count) parameters")
        }
        for (buffer, parameter) in zip(buffers, parameters) where buffer != nil && buffer!.shape != parameter.shape {
            throw TensorError.shapeMismatch(op: "SGD momentum buffer", lhs: parameter.shape, rhs: buffer!.shape)
        }
        momentumBuffers = buffers
    }
}
