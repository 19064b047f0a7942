import GirdTensor

/// Tensors: construction, the members of a tensor value, `.npy` files and
/// gradients. Shapes are checked here, before the engine sees them (a
/// negative size is a recipe error, never a trap).
enum TensorArguments {
    /// The largest tensor a recipe may ask for (elements), and why, for the
    /// errors that refuse more: a mistyped size must fail at its line, not
    /// exhaust the machine's memory.
    static let maximumElements = 1 << 28
    static let limit = "at most \(maximumElements) elements (1 GiB of float32), so that a mistyped size fails here instead of exhausting memory"

    static func shape(_ value: Value, _ name: String) throws -> [Int] {
        let sizes: [Value]
        switch value {
        case .int: sizes = [value]
        case .list(let items): sizes = items
        default: throw BuiltinFailure("\(name)(): the shape must be a list of ints, got \(value.typeName)")
        }
        var shape: [Int] = []
        var count = 1
        for size in sizes {
            guard case .int(let n) = size else { throw BuiltinFailure("\(name)(): the shape must be a list of ints, got a \(size.typeName) in it") }
            guard n >= 0 else { throw BuiltinFailure("\(name)(): negative size \(n) in shape \(Value.list(sizes).repr)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: n))
            guard !overflow, product <= maximumElements else {
                throw BuiltinFailure("\(name)(): shape \(Value.list(sizes).repr) is too large: a recipe's tensor holds \(limit)")
            }
            count = product
            shape.append(Int(n))
        }
        return shape
    }

    /// A float32 tensor of a recipe's shape, filled with `value`: the shape
    /// checked here, the machine's memory by the engine (`Tensor.filled`).
    static func filled(_ shape: Value, value: Float, _ name: String) throws -> Tensor {
        let sizes = try self.shape(shape, name)
        return try Tensor.filled(sizes, value: value, what: "\(name)(): shape \(formatShape(sizes))")
    }

    /// A nested list of numbers as a shape and row-major values.
    static func flatten(_ value: Value) throws -> (shape: [Int], values: [Double], allInts: Bool) {
        var values: [Double] = []
        var allInts = true
        func visit(_ v: Value, depth: Int) throws -> [Int] {
            guard depth < 64 else { throw BuiltinFailure("tensor(): nested too deeply") }
            switch v {
            case .int(let i): values.append(Double(i)); return []
            case .float(let x): values.append(x); allInts = false; return []
            case .bool(let b): values.append(b ? 1 : 0); return []
            case .list(let items):
                var inner: [Int]?
                for item in items {
                    let shape = try visit(item, depth: depth + 1)
                    if let inner, inner != shape { throw BuiltinFailure("tensor(): ragged nested list (rows of different shapes)") }
                    inner = shape
                }
                return [items.count] + (inner ?? [])
            case .tensor(let t):
                values.append(contentsOf: t.toArray().map(Double.init))
                allInts = false
                return t.shape
            default: throw BuiltinFailure("tensor(): needs numbers or nested lists of numbers, got \(v.typeName)")
            }
        }
        let shape = try visit(value, depth: 0)
        return (shape, values, allInts)
    }

    static func tensor(from value: Value, dtype: String) throws -> Tensor {
        let (shape, values, _) = try flatten(value)
        guard values.count <= maximumElements else { throw BuiltinFailure("tensor(): too many values") }
        switch dtype {
        case "float32": return try Tensor(shape: shape, values: values.map { Float($0) })
        case "int64":
            return try Tensor(shape: shape, indices: try values.map {
                guard $0.isFinite, $0.rounded() == $0, abs($0) < 9.2e18 else { throw BuiltinFailure("tensor(): \(Value.format($0)) is not an int64") }
                return Int64($0)
            })
        default: throw BuiltinFailure("tensor(): dtype must be \"float32\" or \"int64\", got \(Value.quote(dtype))")
        }
    }

    /// Values as nested lists (ints for int64 tensors).
    static func toList(_ t: Tensor) -> Value {
        let flat: [Value] = t.dtype == .int64 ? t.toIndices().map { .int($0) } : t.toArray().map { .float(Double($0)) }
        if t.rank == 0 { return flat.first ?? .none }
        var position = 0
        func level(_ axis: Int) -> Value {
            if axis == t.rank - 1 {
                let row = Array(flat[position..<position + t.shape[axis]])
                position += t.shape[axis]
                return .list(row)
            }
            return .list((0..<t.shape[axis]).map { _ in level(axis + 1) })
        }
        return level(0)
    }

    static func axis(_ value: Value, _ name: String) throws -> Int? {
        switch value {
        case .none: return nil
        case .int(let i): return Int(i)
        default: throw BuiltinFailure("\(name)(): dim must be an int, got \(value.typeName)")
        }
    }
}

extension BuiltinRegistry {
    static var tensorBuiltins: [Builtin] {
        [
            Builtin("tensor", "values, dtype: \"float32\"", doc: "a tensor from a number or a nested list of numbers (float32; dtype: \"int64\" for labels)") { arguments in
                .tensor(try TensorArguments.tensor(from: arguments["values"], dtype: try arguments.choice("dtype", among: ["float32", "int64"])))
            },
            Builtin("zeros", "shape", doc: "a float32 tensor of zeros (zero sizes allowed)") { arguments in
                .tensor(try TensorArguments.filled(arguments["shape"], value: 0, "zeros"))
            },
            Builtin("ones", "shape", doc: "a float32 tensor of ones") { arguments in
                .tensor(try TensorArguments.filled(arguments["shape"], value: 1, "ones"))
            },
            Builtin("full", "shape, value", doc: "a float32 tensor filled with value") { arguments in
                .tensor(try TensorArguments.filled(arguments["shape"], value: Float(try arguments.double("value")), "full"))
            },
            Builtin("randn", "shape", doc: "standard normal samples from the session's generator (see seed)") { arguments in
                .tensor(try Tensor.randn(try TensorArguments.shape(arguments["shape"], "randn"), generator: arguments.context.generator))
            },
            Builtin("rand", "shape", doc: "uniform samples in [0, 1) from the session's generator (see seed)") { arguments in
                .tensor(try Tensor.rand(try TensorArguments.shape(arguments["shape"], "rand"), generator: arguments.context.generator))
            },
            Builtin("arange", "n", doc: "the float32 tensor [0, 1, ..., n-1]") { arguments in
                let n = try arguments.int("n")
                guard n >= 0, n <= TensorArguments.maximumElements else {
                    throw BuiltinFailure("arange(): n must be in 0...\(TensorArguments.maximumElements), got \(n): a recipe's tensor holds \(TensorArguments.limit)")
                }
                return .tensor(try Tensor.arange(n, dtype: .float32))
            },
            Builtin("load_npy", "path", doc: "a NumPy .npy file as a tensor (float64 and float16 read as float32, ints as int64)") { arguments in
                .tensor(try NumPyFile.load(contentsOf: try arguments.string("path")))
            },
            Builtin("save_npy", "t, path", doc: "writes a tensor as a NumPy .npy file (atomically)") { arguments in
                let t = try arguments.tensor("t"), path = try arguments.writablePath("path")
                try NumPyFile.save(t, to: path)
                return .none
            },
            Builtin("backward", "loss", doc: "backpropagates from a one-value tensor into the grad of every leaf that requires it") { arguments in
                let loss = try arguments.tensor("loss")
                guard loss.count == 1 else { throw BuiltinFailure("backward(): the loss must hold one value, got shape \(formatShape(loss.shape))") }
                try loss.backward()
                return .none
            },
            Builtin(property: "shape", of: "tensor", doc: "the sizes of the axes, as a list") { arguments in
                .list(try arguments.receiverTensor().shape.map { .int(Int64($0)) })
            },
            Builtin(property: "dtype", of: "tensor", doc: "\"float32\" or \"int64\"") { arguments in
                .string(try arguments.receiverTensor().dtype.rawValue)
            },
            Builtin(property: "grad", of: "tensor", doc: "the gradient accumulated by backward, or none") { arguments in
                try arguments.receiverTensor().grad.map { .tensor($0) } ?? .none
            },
            Builtin(method: "mean", of: "tensor", "dim: none", doc: "the mean of all values (a one-value tensor), or along dim") { arguments in
                let t = try arguments.receiverTensor()
                if let axis = try TensorArguments.axis(arguments["dim"], "mean") { return .tensor(try t.mean(axes: [axis])) }
                return .tensor(try t.mean())
            },
            Builtin(method: "sum", of: "tensor", "dim: none", doc: "the sum of all values (a one-value tensor), or along dim") { arguments in
                let t = try arguments.receiverTensor()
                if let axis = try TensorArguments.axis(arguments["dim"], "sum") { return .tensor(try t.sum(axes: [axis])) }
                return .tensor(try t.sum())
            },
            Builtin(method: "max", of: "tensor", "dim: none", doc: "the largest value (a one-value tensor), or the maxima along dim") { arguments in
                let t = try arguments.receiverTensor()
                if let axis = try TensorArguments.axis(arguments["dim"], "max") { return .tensor(try t.max(axis: axis)) }
                guard t.count > 0 else { throw BuiltinFailure("max(): the tensor is empty") }
                return .tensor(try t.max())
            },
            Builtin(method: "min", of: "tensor", "dim: none", doc: "the smallest value (a one-value tensor), or the minima along dim") { arguments in
                let t = try arguments.receiverTensor()
                if let axis = try TensorArguments.axis(arguments["dim"], "min") { return .tensor(try t.min(axis: axis)) }
                guard t.count > 0 else { throw BuiltinFailure("min(): the tensor is empty") }
                return .tensor(try t.min())
            },
            Builtin(method: "argmax", of: "tensor", "dim", doc: "the index of the largest value along dim (int64)") { arguments in
                .tensor(try arguments.receiverTensor().argmax(axis: try arguments.int("dim")))
            },
            Builtin(method: "reshape", of: "tensor", "shape", doc: "the same values under a new shape (one -1 is inferred)") { arguments in
                let t = try arguments.receiverTensor()
                let sizes = try arguments.ints("shape")
                guard sizes.allSatisfy({ $0 >= -1 }) else { throw BuiltinFailure("reshape(): negative size in shape \(arguments["shape"].repr)") }
                var product = 1
                for size in sizes where size > 0 {
                    let (next, overflow) = product.multipliedReportingOverflow(by: size)
                    guard !overflow, next <= TensorArguments.maximumElements else {
                        throw BuiltinFailure("reshape(): shape \(arguments["shape"].repr) is too large: a recipe's tensor holds \(TensorArguments.limit)")
                    }
                    product = next
                }
                return .tensor(try t.reshaped(sizes))
            },
            Builtin(method: "transpose", of: "tensor", "a, b", doc: "the tensor with axes a and b swapped") { arguments in
                .tensor(try arguments.receiverTensor().transposed(try arguments.int("a"), try arguments.int("b")))
            },
            Builtin(method: "item", of: "tensor", "", doc: "the one value of a one-value tensor, as a float (an int for int64)") { arguments in
                let t = try arguments.receiverTensor()
                if t.dtype == .int64 {
                    guard t.count == 1 else { _ = try t.item(); return .none }
                    return .int(t.toIndices()[0])
                }
                return .float(Double(try t.item()))
            },
            Builtin(method: "tolist", of: "tensor", "", doc: "the values as nested lists") { arguments in
                TensorArguments.toList(try arguments.receiverTensor())
            },
            Builtin(method: "requires_grad", of: "tensor", "", doc: "a leaf copy that records operations, for backward") { arguments in
                let t = try arguments.receiverTensor()
                guard t.dtype == .float32 else { throw BuiltinFailure("requires_grad(): only float32 tensors have gradients") }
                return .tensor(try t.detach().requiringGrad())
            },
            Builtin(method: "detach", of: "tensor", "", doc: "the same values, cut off from the gradient tape") { arguments in
                .tensor(try arguments.receiverTensor().detach())
            },
            Builtin(method: "softmax", of: "tensor", "dim", doc: "softmax along dim") { arguments in
                .tensor(try arguments.receiverTensor().softmax(axis: try arguments.int("dim")))
            },
            Builtin(method: "relu", of: "tensor", "", doc: "max(x, 0) element-wise") { arguments in
                .tensor(try arguments.receiverTensor().relu())
            },
            Builtin(method: "abs", of: "tensor", "", doc: "|x| element-wise") { arguments in
                .tensor(try arguments.receiverTensor().abs())
            },
            Builtin(method: "exp", of: "tensor", "", doc: "e to the power x, element-wise") { arguments in
                .tensor(try arguments.receiverTensor().exp())
            },
            Builtin(method: "log", of: "tensor", "", doc: "the natural logarithm, element-wise") { arguments in
                .tensor(try arguments.receiverTensor().log())
            },
            Builtin(method: "sqrt", of: "tensor", "", doc: "the square root, element-wise") { arguments in
                .tensor(try arguments.receiverTensor().sqrt())
            },
            Builtin(method: "flatten", of: "tensor", "start: 1", doc: "all axes from start on folded into one") { arguments in
                .tensor(try arguments.receiverTensor().flattened(from: try arguments.int("start")))
            },
        ]
    }
}
