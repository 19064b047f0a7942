import GirdTensor

/// `nn.Sequential`: layers applied in order, named "0", "1", ... as PyTorch
/// names them.
public final class Sequential: Layer {
    public let layers: [Layer]

    public init(_ layers: [Layer]) {
        self.layers = layers
        super.init()
        for (index, layer) in layers.enumerated() { registerChild(String(index), layer) }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { try $1.forward($0) }
    }
}

/// A parameter-free step given as a function: ReLU, pooling, flatten. It has
/// no `state_dict` entries, as the corresponding PyTorch modules have none.
public final class Function: Layer {
    private let body: (Tensor) throws -> Tensor

    public init(_ body: @escaping (Tensor) throws -> Tensor) {
        self.body = body
    }

    public override func forward(_ input: Tensor) throws -> Tensor { try body(input) }

    public static var relu: Function { Function { try $0.relu() } }
    public static var relu6: Function { Function { try $0.relu6() } }
}
