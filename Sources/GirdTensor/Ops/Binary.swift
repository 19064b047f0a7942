/// Element-wise arithmetic between tensors, broadcasting like NumPy.
///
/// Forward: one strided walk over the result (`StridedLoop`). Backward: the
/// upstream gradient times the local derivative, summed back down to each
/// input's own shape over the axes that were broadcast (`sumToShape`).

extension Tensor {
    /// Applies `f` pairwise with broadcasting; plain float32 result.
    @inline(__always)
    static func broadcastBinary(_ a: Tensor, _ b: Tensor, op: String,
                                _ f: (Float, Float) -> Float) throws -> Tensor {
        guard a.dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: a.dtype) }
        guard b.dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: b.dtype) }
        let shape = try ShapeRules.broadcast(a.shape, b.shape, op: op)
        let x = a.plain().floats.baseAddress!, y = b.plain().floats.baseAddress!
        let result = Tensor.uninitialized(shape)
        let out = result.mutableFloats.baseAddress!
        if a.shape == b.shape {
            for i in 0..<result.count { out[i] = f(x[i], y[i]) }
            return result
        }
        let loop = StridedLoop(shape: shape, operandStrides: [
            ShapeRules.strides(shape),
            ShapeRules.broadcastStrides(a.shape, to: shape),
            ShapeRules.broadcastStrides(b.shape, to: shape),
        ])
        let length = loop.rowLength, sx = loop.rowStride(1), sy = loop.rowStride(2)
        loop.forEachRow { _, offsets in
            let o = out + offsets[0], xr = x + offsets[1], yr = y + offsets[2]
            if sx == 1 && sy == 1 {
                for j in 0..<length { o[j] = f(xr[j], yr[j]) }
            } else if sy == 0 {
                let scalar = yr[0]
                for j in 0..<length { o[j] = f(xr[j * sx], scalar) }
            } else if sx == 0 {
                let scalar = xr[0]
                for j in 0..<length { o[j] = f(scalar, yr[j * sy]) }
            } else {
                for j in 0..<length { o[j] = f(xr[j * sx], yr[j * sy]) }
            }
        }
        return result
    }

    /// The gradient of a broadcast input: `gradient` summed over the axes
    /// along which `shape` was stretched, then reshaped to `shape`.
    func sumToShape(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let offset = rank - target.count
        var axes = Array(0..<offset)
        for axis in offset..<rank where target[axis - offset] == 1 && shape[axis] != 1 { axes.append(axis) }
        return try sum(axes: axes, keepingDimensions: false).reshaped(target)
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        try OpTrace.traced(.add, [a, b]) {
            if case let .blocked(format) = a.layout, case let .blocked(other) = b.layout, format == other, a.shape == b.shape {
                return blockedAdd(a, b, format: format).recorded("add", [a, b]) { g in [g, g] }
            }
            let result = try broadcastBinary(a, b, op: "add", +)
            return result.recorded("add", [a, b]) { g in
                [try g.sumToShape(a.shape), try g.sumToShape(b.shape)]
            }
        }
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        let result = try broadcastBinary(a, b, op: "sub", -)
        return result.recorded("sub", [a, b]) { g in
            [try g.sumToShape(a.shape), try (-g).sumToShape(b.shape)]
        }
    }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let result = try broadcastBinary(a, b, op: "mul", *)
        let (x, y) = (a.detach(), b.detach())
        return result.recorded("mul", [a, b]) { g in
            [a.requiresGrad ? try (g * y).sumToShape(a.shape) : nil,
             b.requiresGrad ? try (g * x).sumToShape(b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        let result = try broadcastBinary(a, b, op: "div", /)
        let (x, y) = (a.detach(), b.detach())
        return result.recorded("div", [a, b]) { g in
            // d(x/y)/dx = 1/y; d(x/y)/dy = -x/y^2.
            [a.requiresGrad ? try (g / y).sumToShape(a.shape) : nil,
             b.requiresGrad ? try (-(g * x) / (y * y)).sumToShape(b.shape) : nil]
        }
    }

    /// Element-wise power with a tensor exponent (`a ** b`).
    public func pow(_ exponent: Tensor) throws -> Tensor {
        let result = try Tensor.broadcastBinary(self, exponent, op: "pow") { Foundation.pow($0, $1) }
        let (x, y, out) = (detach(), exponent.detach(), result.detach())
        return result.recorded("pow", [self, exponent]) { g in
            [self.requiresGrad ? try (g * y * x.pow(y - Tensor(1))).sumToShape(x.shape) : nil,
             exponent.requiresGrad ? try (g * out * x.log()).sumToShape(y.shape) : nil]
        }
    }

    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let result = try broadcastBinary(a, b, op: "maximum") { $0 >= $1 ? $0 : $1 }
        let (x, y) = (a.detach(), b.detach())
        return result.recorded("maximum", [a, b]) { g in
            // Ties send the gradient to the first operand, as the forward picks it.
            let takeA = try broadcastBinary(x, y, op: "maximum") { $0 >= $1 ? 1 : 0 }
            return [a.requiresGrad ? try (g * takeA).sumToShape(a.shape) : nil,
                    b.requiresGrad ? try (g * (Tensor(1) - takeA)).sumToShape(b.shape) : nil]
        }
    }

    public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try -maximum(-a, -b)
    }

    // Scalars on either side.
    public static func + (a: Tensor, b: Float) throws -> Tensor { try a + Tensor(b) }
    public static func + (a: Float, b: Tensor) throws -> Tensor { try Tensor(a) + b }
    public static func - (a: Tensor, b: Float) throws -> Tensor { try a - Tensor(b) }
    public static func - (a: Float, b: Tensor) throws -> Tensor { try Tensor(a) - b }
    public static func * (a: Tensor, b: Float) throws -> Tensor { try a * Tensor(b) }
    public static func * (a: Float, b: Tensor) throws -> Tensor { try Tensor(a) * b }
    public static func / (a: Tensor, b: Float) throws -> Tensor { try a / Tensor(b) }
    public static func / (a: Float, b: Tensor) throws -> Tensor { try Tensor(a) / b }
}

import Foundation
