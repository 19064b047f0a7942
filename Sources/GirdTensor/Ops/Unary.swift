import Foundation

/// Element-wise maths of one tensor. Each op's derivative is written under
/// its forward; the backward reuses the saved input or output, detached so
/// the tape holds no cycle.
extension Tensor {
    public static prefix func - (a: Tensor) throws -> Tensor {
        try a.mapped(op: "neg", preservesZero: true) { -$0 }
            .recorded("neg", [a]) { g in [try -g] }
    }

    public func exp() throws -> Tensor {
        let result = try mapped(op: "exp", preservesZero: false) { Foundation.exp($0) }
        let out = result.detach()
        return result.recorded("exp", [self]) { g in [try g * out] }
    }

    /// Natural logarithm; log(0) is -inf, as in PyTorch.
    public func log() throws -> Tensor {
        let x = detach()
        return try mapped(op: "log", preservesZero: false) { Foundation.log($0) }
            .recorded("log", [self]) { g in [try g / x] }
    }

    public func sqrt() throws -> Tensor {
        let result = try mapped(op: "sqrt", preservesZero: true) { $0.squareRoot() }
        let out = result.detach()
        return result.recorded("sqrt", [self]) { g in [try g / (out * 2)] }
    }

    public func abs() throws -> Tensor {
        let x = detach()
        return try mapped(op: "abs", preservesZero: true) { Swift.abs($0) }
            .recorded("abs", [self]) { g in
                // The subgradient at 0 is 0, as PyTorch's sign().
                [try g.zipped(with: x, op: "abs") { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
            }
    }

    public func square() throws -> Tensor {
        let x = detach()
        return try mapped(op: "square", preservesZero: true) { $0 * $0 }
            .recorded("square", [self]) { g in [try g.zipped(with: x, op: "square") { 2 * $0 * $1 }] }
    }

    /// Element-wise power with a constant exponent.
    public func pow(_ exponent: Float) throws -> Tensor {
        let x = detach()
        return try mapped(op: "pow", preservesZero: exponent > 0) { Foundation.pow($0, exponent) }
            .recorded("pow", [self]) { g in
                [try g.zipped(with: x, op: "pow") { $0 * exponent * Foundation.pow($1, exponent - 1) }]
            }
    }

    public func tanh() throws -> Tensor {
        let result = try mapped(op: "tanh", preservesZero: true) { Foundation.tanh($0) }
        let out = result.detach()
        return result.recorded("tanh", [self]) { g in [try g.zipped(with: out, op: "tanh") { $0 * (1 - $1 * $1) }] }
    }

    public func sigmoid() throws -> Tensor {
        let result = try mapped(op: "sigmoid", preservesZero: false) { 1 / (1 + Foundation.exp(-$0)) }
        let out = result.detach()
        return result.recorded("sigmoid", [self]) { g in [try g.zipped(with: out, op: "sigmoid") { $0 * $1 * (1 - $1) }] }
    }

    public func relu() throws -> Tensor {
        try OpTrace.traced(.relu, [self]) {
            let result = try mapped(op: "relu", preservesZero: true) { $0 > 0 ? $0 : 0 }
            let out = result.detach()
            return result.recorded("relu", [self]) { g in [try g.zipped(with: out, op: "relu") { $1 > 0 ? $0 : 0 }] }
        }
    }

    /// min(max(x, 0), 6), MobileNetV2's activation.
    public func relu6() throws -> Tensor {
        try OpTrace.traced(.clip(min: 0, max: 6), [self]) {
            let x = detach()
            return try mapped(op: "relu6", preservesZero: true) { Swift.min(Swift.max($0, 0), 6) }
                .recorded("relu6", [self]) { g in [try g.zipped(with: x, op: "relu6") { $1 > 0 && $1 < 6 ? $0 : 0 }] }
        }
    }

    /// Values limited to [low, high]; the gradient passes where x is inside.
    public func clamp(min low: Float = -.infinity, max high: Float = .infinity) throws -> Tensor {
        let x = detach()
        return try mapped(op: "clamp", preservesZero: low <= 0 && high >= 0) { Swift.min(Swift.max($0, low), high) }
            .recorded("clamp", [self]) { g in [try g.zipped(with: x, op: "clamp") { $1 >= low && $1 <= high ? $0 : 0 }] }
    }

    /// Number of NaN or infinite elements: the cheap check for a diverged loss.
    public func nonFiniteCount() -> Int {
        guard dtype == .float32 else { return 0 }
        let source = plain()
        return VectorKernels.nonFiniteCount(source.floats.baseAddress!, source.count)
    }

    /// True when every element is finite.
    public var isFinite: Bool { nonFiniteCount() == 0 }
}
