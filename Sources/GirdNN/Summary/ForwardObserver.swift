import GirdTensor

/// Sees each parameterised layer (convolution, batch norm, linear) as it
/// runs: the layer, its input and its output. `ModelSummary` sets it for
/// one forward pass to learn the shapes (as torchinfo's forward hooks do);
/// nil otherwise, so a layer pays one nil check.
///
/// Process-wide and not thread-safe: set it only around a forward pass of
/// one thread, as `ModelSummary.make` does.
public enum ForwardObserver {
    nonisolated(unsafe) public static var current: ((Layer, Tensor, Tensor) -> Void)?
}
