import GirdNN
import GirdTensor

/// FitNet's regressor from a student feature map to a teacher's,
/// RepDistiller's `ConvReg` (`models/util.py`): a convolution chosen by the
/// two heights, then `BatchNorm2d(t_C)` and ReLU,
///
///     s_H = 2 t_H:   Conv2d(s_C, t_C, 3, stride 2, padding 1)
///     2 s_H = t_H:   ConvTranspose2d(s_C, t_C, 4, stride 2, padding 1)
///     s_H ≥ t_H:     Conv2d(s_C, t_C, (1 + s_H − t_H, 1 + s_W − t_W))
///
/// with PyTorch's parameter names (`conv.weight`, `conv.bias`, `bn.*`), so a
/// RepDistiller checkpoint's connector loads as it is. Any other pair of
/// sizes (a student map smaller, but not half) has no regressor, as in
/// RepDistiller.
public final class ConvRegressor: Layer {
    public enum Kind: Equatable, Sendable {
        case strided, transposed, valid(kernelHeight: Int, kernelWidth: Int)
    }

    public let kind: Kind
    public let conv: RegressorConvolution
    public let batchNorm: BatchNorm

    /// `studentShape` and `teacherShape` are [C, H, W] (no batch). Returns nil
    /// when no regressor fits the two sizes.
    public init?(studentShape: [Int], teacherShape: [Int], generator: RandomGenerator) throws {
        guard studentShape.count == 3, teacherShape.count == 3,
              (studentShape + teacherShape).allSatisfy({ $0 > 0 }) else { return nil }
        let (sC, sH, sW) = (studentShape[0], studentShape[1], studentShape[2])
        let (tC, tH, tW) = (teacherShape[0], teacherShape[1], teacherShape[2])
        if sH == 2 * tH {
            kind = .strided
        } else if sH * 2 == tH {
            kind = .transposed
        } else if sH >= tH, sW >= tW {
            kind = .valid(kernelHeight: 1 + sH - tH, kernelWidth: 1 + sW - tW)
        } else {
            return nil
        }
        conv = try RegressorConvolution(kind: kind, inChannels: sC, outChannels: tC, generator: generator)
        batchNorm = try BatchNorm(tC)
        super.init()
        registerChild("conv", conv)
        registerChild("bn", batchNorm)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try batchNorm(try conv(input)).relu()
    }

    /// The [C, H, W] this regressor makes of a [C, H, W] student map. The
    /// choice of kind looks at heights only (as RepDistiller's): widths
    /// that do not follow make a map of another size, refused at set-up.
    public func outputShape(for studentShape: [Int]) -> [Int] {
        let (height, width) = (studentShape[1], studentShape[2])
        switch kind {
        case .strided: return [batchNorm.weight.count, (height - 1) / 2 + 1, (width - 1) / 2 + 1]
        case .transposed: return [batchNorm.weight.count, 2 * height, 2 * width]
        case let .valid(kernelHeight, kernelWidth): return [batchNorm.weight.count, height - kernelHeight + 1, width - kernelWidth + 1]
        }
    }
}

/// The convolution of a `ConvRegressor`, with PyTorch's default
/// initialisation. The transposed one keeps PyTorch's `ConvTranspose2d`
/// weight layout [in, out, 4, 4] (so its weights load from PyTorch) and is
/// computed as the convolution it is the adjoint of: the input spread out
/// with a zero between neighbours, padded by k − 1 − p = 2 (one less at the
/// far end, which the spread-out input's trailing zero already holds), and
/// convolved with the kernel flipped and its channel axes swapped.
public final class RegressorConvolution: Layer {
    public let kind: ConvRegressor.Kind
    public let weight: Tensor
    public let bias: Tensor

    init(kind: ConvRegressor.Kind, inChannels: Int, outChannels: Int, generator: RandomGenerator) throws {
        self.kind = kind
        let shape: [Int]
        switch kind {
        case .strided: shape = [outChannels, inChannels, 3, 3]
        case .transposed: shape = [inChannels, outChannels, 4, 4]
        case let .valid(kernelHeight, kernelWidth): shape = [outChannels, inChannels, kernelHeight, kernelWidth]
        }
        // PyTorch's fan-in is weight.size(1) * kernel area for both kinds.
        weight = try Initialization.defaultWeight(shape, generator: generator)
        bias = try Initialization.defaultBias(outChannels, fanIn: shape.dropFirst().reduce(1, *), generator: generator)
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        switch kind {
        case .strided:
            return try Tensor.conv2d(input, weight: weight, bias: bias, stride: 2, padding: 1)
        case .valid:
            return try Tensor.conv2d(input, weight: weight, bias: bias)
        case .transposed:
            let reversed = try Tensor(shape: [4], indices: [3, 2, 1, 0])
            let kernel = try weight.transposed(0, 1).indexSelect(axis: 2, indices: reversed).indexSelect(axis: 3, indices: reversed)
            return try Tensor.conv2d(try Self.spreadOut(input).padded([2, 1, 2, 1]), weight: kernel, bias: bias)
        }
    }

    /// [N, C, H, W] to [N, C, 2H, 2W] with x[h][w] at (2h, 2w) and zeros between.
    static func spreadOut(_ x: Tensor) throws -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let columns = try Tensor.concatenated([x.unsqueezed(axis: 4), Tensor.zeros([n, c, h, w, 1])], axis: 4)
            .reshaped([n, c, h, 1, 2 * w])
        return try Tensor.concatenated([columns, Tensor.zeros([n, c, h, 1, 2 * w])], axis: 3).reshaped([n, c, 2 * h, 2 * w])
    }
}
