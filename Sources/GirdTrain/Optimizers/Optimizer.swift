import GirdTensor

/// Updates parameters from their accumulated gradients, as `torch.optim`.
public protocol Optimizer: AnyObject {
    /// The parameters it updates, in a fixed order (its state follows it).
    var parameters: [Tensor] { get }
    /// The learning rate of the next step (schedules set it before each step).
    var learningRate: Float { get set }
    /// One update from the current gradients; parameters without a gradient
    /// are skipped, as PyTorch skips `p.grad is None`.
    func step() throws
}

extension Optimizer {
    /// Forgets every parameter's gradient (`zero_grad(set_to_none=True)`).
    public func clearGradients() {
        for parameter in parameters { parameter.clearGrad() }
    }
}
