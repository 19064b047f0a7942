import GirdTensor

/// `nn.Conv2d`: parameters `weight` [out, in/groups, kH, kW] and, if asked,
/// `bias` [out]; PyTorch's default initialisation unless a network
/// re-initialises.
public final class Conv2d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int, padding: Int, dilation: Int, groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator) throws {
        guard inChannels > 0, outChannels > 0, kernelSize > 0, groups > 0,
              inChannels % groups == 0, outChannels % groups == 0 else {
            throw TensorError.invalidArgument(
                op: "Conv2d", message: "invalid configuration: \(inChannels) -> \(outChannels) channels, kernel \(kernelSize), groups \(groups)")
        }
        let shape = [outChannels, inChannels / groups, kernelSize, kernelSize]
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.weight = try Initialization.defaultWeight(shape, generator: generator)
        self.bias = bias ? try Initialization.defaultBias(outChannels, fanIn: shape.dropFirst().reduce(1, *), generator: generator) : nil
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let output = try Tensor.conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding,
                                       dilation: dilation, groups: groups)
        ForwardObserver.current?(self, input, output)
        return output
    }
}
