import GirdTensor

/// A layer or a network: named parameters and buffers, named children, and
/// a training flag, as `torch.nn.Module`.
///
/// Names compose with dots exactly as PyTorch's `state_dict()` keys do
/// (`layer1.0.bn1.running_mean`), because weights move to and from PyTorch
/// by those names. Registration order is PyTorch's: a module's own
/// parameters, then its own buffers, then its children in the order they
/// were registered. Subclasses register everything in their initialiser.
open class Module {
    public private(set) var isTraining = true
    private var ownParameters: [(name: String, tensor: Tensor)] = []
    private var ownBuffers: [(name: String, tensor: Tensor)] = []
    private var ownChildren: [(name: String, module: Module)] = []

    public init() {}

    // MARK: Registration (subclass initialisers)

    /// A trainable tensor: marked as wanting a gradient, and returned.
    @discardableResult
    public func registerParameter(_ name: String, _ tensor: Tensor) -> Tensor {
        _ = try? tensor.requiringGrad()
        ownParameters.append((name, tensor))
        return tensor
    }

    /// State that is saved but not trained (batch norm's running statistics).
    @discardableResult
    public func registerBuffer(_ name: String, _ tensor: Tensor) -> Tensor {
        ownBuffers.append((name, tensor))
        return tensor
    }

    @discardableResult
    public func registerChild<M: Module>(_ name: String, _ module: M) -> M {
        ownChildren.append((name, module))
        return module
    }

    // MARK: Traversal

    public var children: [(name: String, module: Module)] { ownChildren }

    /// This module and every module below it, parents before children.
    public var descendants: [Module] {
        var found: [Module] = []
        var stack: [Module] = [self]
        while let module = stack.popLast() {
            found.append(module)
            stack.append(contentsOf: module.ownChildren.map(\.module).reversed())
        }
        return found
    }

    /// Every parameter below this module, with its dotted name, in PyTorch's
    /// `named_parameters()` order.
    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        ownParameters.map { (prefix + $0.name, $0.tensor) }
            + ownChildren.flatMap { $0.module.namedParameters(prefix: prefix + $0.name + ".") }
    }

    public func namedBuffers(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        ownBuffers.map { (prefix + $0.name, $0.tensor) }
            + ownChildren.flatMap { $0.module.namedBuffers(prefix: prefix + $0.name + ".") }
    }

    /// Parameters and buffers under their `state_dict` keys, in PyTorch's
    /// order (each module's parameters, its buffers, then its children).
    public func stateDictionary(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        ownParameters.map { (prefix + $0.name, $0.tensor) }
            + ownBuffers.map { (prefix + $0.name, $0.tensor) }
            + ownChildren.flatMap { $0.module.stateDictionary(prefix: prefix + $0.name + ".") }
    }

    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// Number of trainable values, as `sum(p.numel() for p in m.parameters())`.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    // MARK: Modes

    /// Training mode (batch norm uses batch statistics, dropout drops), for
    /// this module and every child.
    public func train() { setTraining(true) }

    /// Evaluation mode, for this module and every child.
    public func eval() { setTraining(false) }

    private func setTraining(_ flag: Bool) {
        isTraining = flag
        for child in ownChildren { child.module.setTraining(flag) }
    }

    /// Forgets every parameter's gradient (`zero_grad(set_to_none=True)`).
    public func clearGradients() {
        for parameter in parameters { parameter.clearGrad() }
    }
}

/// A module with one input and one output, the building block of networks.
open class Layer: Module {
    open func forward(_ input: Tensor) throws -> Tensor {
        preconditionFailure("\(type(of: self)) must override forward(_:)")
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor { try forward(input) }
}
