import Foundation
import GirdNN
import GirdTensor

/// The trainable half of RepDistiller's `VIDLoss` (`distiller_zoo/VID.py`):
/// a `regressor` of three 1x1 convolutions without bias (in -> mid -> mid ->
/// target, ReLU between) that predicts the mean of the teacher's feature, and
/// a per-channel `log_scale` whose softplus (+ eps) is the predicted variance.
/// `log_scale` starts at softplus^-1(initialVariance - eps), so the variance
/// starts at `initialVariance`. State-dict names are the reference's
/// (`regressor.0.weight`, `regressor.2.weight`, `regressor.4.weight`, `log_scale`).
public final class VIDRegressor: Module {
    public let regressor: Sequential
    public let logScale: Tensor
    public let epsilon: Float

    public init(inChannels: Int, midChannels: Int, targetChannels: Int, initialVariance: Float = 5, epsilon: Float = 1e-5,
                generator: RandomGenerator) throws {
        regressor = Sequential([
            try Conv2d(inChannels, midChannels, kernelSize: 1, bias: false, generator: generator), Function.relu,
            try Conv2d(midChannels, midChannels, kernelSize: 1, bias: false, generator: generator), Function.relu,
            try Conv2d(midChannels, targetChannels, kernelSize: 1, bias: false, generator: generator),
        ])
        // In Double, as the reference's NumPy computes it, then rounded once.
        let start = Float(Foundation.log(Foundation.exp(Double(initialVariance) - Double(epsilon)) - 1))
        logScale = Tensor.full([targetChannels], value: start)
        self.epsilon = epsilon
        super.init()
        registerParameter("log_scale", logScale)
        registerChild("regressor", regressor)
    }

    /// softplus(log_scale) + eps as [1, C, 1, 1], written `log(1 + exp(x))`
    /// as the reference does: log_scale stays near log(e^5 - 1) ≈ 5, far
    /// from where exp overflows.
    public func variance() throws -> Tensor {
        try ((logScale.exp() + 1).log() + epsilon).reshaped([1, logScale.count, 1, 1])
    }
}
