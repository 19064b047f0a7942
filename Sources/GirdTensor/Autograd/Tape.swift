/// One recorded op: its inputs and the vector-Jacobian product that turns the
/// gradient of its output into gradients of its inputs (nil where an input
/// needs none). Each op defines its closure right under its forward code.
final class GradNode {
    let op: String
    let inputs: [Tensor]
    let backward: (Tensor) throws -> [Tensor?]

    init(op: String, inputs: [Tensor], backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Links `self`, just computed by `op` from `inputs`, into the tape when
    /// any input needs a gradient and recording is on. The closure must not
    /// capture `self` (that would be a cycle): capture `self.detach()`.
    @discardableResult
    func recorded(_ op: String, _ inputs: [Tensor], backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        gradNode = GradNode(op: op, inputs: inputs, backward: backward)
        return self
    }

    /// Reverse-mode differentiation from this tensor. A scalar needs no seed
    /// (it is 1); otherwise `seed` has this tensor's shape. Gradients add to
    /// the `grad` of every leaf that requires one, as in PyTorch; the tape is
    /// kept, so a second backward adds again.
    ///
    /// `leafGradientReady` is called for each leaf as soon as its gradient
    /// is final for this pass (every op that read it has sent its part),
    /// while the pass goes on: data-parallel training starts reducing a
    /// bucket of gradients there, as PyTorch's DDP does from its hooks.
    public func backward(_ seed: Tensor? = nil, leafGradientReady: ((Tensor) throws -> Void)? = nil) throws {
        guard requiresGrad else {
            throw TensorError.invalidArgument(op: "backward", message: "tensor does not require a gradient (no input of it does)")
        }
        let start: Tensor
        if let seed {
            guard seed.shape == shape else { throw TensorError.shapeMismatch(op: "backward", lhs: shape, rhs: seed.shape) }
            start = seed
        } else {
            guard count == 1 else {
                throw TensorError.invalidArgument(op: "backward", message: "a seed gradient is needed for a tensor of shape \(formatShape(shape))")
            }
            start = Tensor.ones(shape)
        }
        try GradMode.withoutGradient {
            let order = topologicalOrder()
            var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): start]
            for tensor in order.reversed() {
                guard let gradient = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.gradNode else {
                    try tensor.accumulateGrad(gradient)
                    try leafGradientReady?(tensor)
                    continue
                }
                let inputGrads = try node.backward(gradient)
                for (input, inputGrad) in zip(node.inputs, inputGrads) {
                    guard input.requiresGrad, let inputGrad else { continue }
                    guard inputGrad.shape == input.shape else {
                        fatalError("backward of \(node.op) gave a gradient of shape \(inputGrad.shape) for an input of shape \(input.shape)")
                    }
                    let key = ObjectIdentifier(input)
                    if let existing = pending[key] {
                        pending[key] = try existing.addingForGradient(inputGrad)
                    } else {
                        pending[key] = inputGrad
                    }
                }
            }
        }
    }

    /// Every tensor on the tape below `self`, inputs before the results made
    /// from them. Iterative, so that a deep network cannot overflow the stack.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited: Set<ObjectIdentifier> = []
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.gradNode?.inputs ?? [] where input.requiresGrad {
                if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
            }
        }
        return order
    }

    private func accumulateGrad(_ gradient: Tensor) throws {
        // A leaf's gradient is always plain and owned by the leaf, so that
        // optimizers may update it in place without touching anything else.
        let incoming = gradient.plain()
        if let grad {
            grad.addInPlace(incoming)
        } else {
            // A plain gradient may share storage with other tensors; a
            // reordered one is a fresh copy already.
            grad = incoming === gradient ? incoming.copied() : incoming
        }
    }

    /// Sum of two gradients of the same tensor, which may be in different
    /// layouts (a blocked one from a convolution, a plain one from a tap).
    func addingForGradient(_ other: Tensor) throws -> Tensor {
        if case let .blocked(a) = layout, case let .blocked(b) = other.layout, a == b {
            return Tensor.blockedAdd(self, other, format: a)
        }
        return try GradMode.withoutGradient { try self.plain() + other.plain() }
    }

    /// A plain copy with storage of its own.
    func copied() -> Tensor {
        let source = plain()
        return Tensor(shape: shape, dtype: dtype, storage: source.storage.copy())
    }
}
