import GirdTensor
import GirdSuggestions

/// What every zoo constructor takes.
public struct ZooOptions {
    public var classes: Int
    public var inChannels: Int
    public var generator: RandomGenerator
    public var head: HeadKind = .classifier
    /// The last stage's stride, for the families that take one (ResNetV2's).
    public var lastStride: Int = 2
}

public typealias ZooBuilder = (ZooOptions) throws -> Network

/// The model zoo: the CIFAR networks of the distillation literature
/// (RepDistiller's `models/`) by the names papers use, and torchvision's
/// ImageNet networks under timm's `tv_` prefix.
public enum ModelZoo {
    static let builders: [String: ZooBuilder] = {
        var all: [String: ZooBuilder] = [:]
        let families = [ResNetCIFAR.entries, WideResNet.entries, VGG.entries, ResNetV2.entries,
                        MobileNetV2.entries, ShuffleNetV1.entries, ShuffleNetV2.entries,
                        TorchvisionResNet.entries, TorchvisionMobileNetV2.entries]
        for family in families {
            all.merge(family) { first, _ in first }
        }
        return all
    }()

    /// Every model name, sorted.
    public static var names: [String] { builders.keys.sorted() }

    /// The class count a model has unless told otherwise: 1000 (ImageNet)
    /// for torchvision's networks, 100 (CIFAR-100) for the CIFAR zoo.
    public static func defaultClasses(_ name: String) -> Int {
        isTorchvision(name) ? 1000 : 100
    }

    /// Whether `name` is one of torchvision's ImageNet networks (`tv_*`),
    /// made for 224x224 images rather than 32x32.
    public static func isTorchvision(_ name: String) -> Bool { name.hasPrefix("tv_") }

    /// A freshly initialised network with `inChannels` input channels (1 for
    /// grey images: only the stem changes). The CIFAR zoo takes 32x32
    /// images; torchvision's networks any size from 32x32 (224x224 for
    /// ImageNet). `classes` defaults to `defaultClasses(name)`.
    ///
    /// `head` `.reid` gives the ResNets (`resnet*`, `ResNet*`, `tv_resnet*`)
    /// the re-identification head (`HeadKind.reid`); `lastStride` 1 keeps
    /// the last stage of `ResNet*` and `tv_resnet*` at the third's
    /// resolution (the re-ID "last stride" trick), 2 is theirs.
    public static func make(_ name: String, classes: Int? = nil, inChannels: Int = 3,
                            generator: RandomGenerator = RandomGenerator(seed: 0), head: HeadKind = .classifier,
                            lastStride: Int = 2) throws -> Network {
        guard let builder = builders[name] else {
            throw NetworkError.unknownModel(name: name, suggestions: NameSuggestions.closest(to: name, among: names))
        }
        let classes = classes ?? defaultClasses(name)
        guard classes > 0, inChannels > 0 else {
            throw TensorError.invalidArgument(op: "model", message: "classes and inChannels must be positive, got \(classes) and \(inChannels)")
        }
        if head == .reid && !(ResNetCIFAR.entries[name] != nil || stridable(name)) {
            throw TensorError.invalidArgument(
                op: "model", message: "the re-ID head is built for the ResNets (resnet8...resnet110, ResNet18/34/50, tv_resnet18/34/50), not \(name)")
        }
        guard lastStride == 2 || (lastStride == 1 && stridable(name)) else {
            throw TensorError.invalidArgument(
                op: "model", message: "last_stride must be 2, or 1 for ResNet18/34/50 and tv_resnet18/34/50; got \(lastStride) for \(name)")
        }
        let network = try builder(ZooOptions(classes: classes, inChannels: inChannels, generator: generator, head: head,
                                             lastStride: lastStride))
        network.head = head
        network.lastStride = stridable(name) ? lastStride : nil
        return network
    }

    /// The families whose last stride can be chosen.
    private static func stridable(_ name: String) -> Bool {
        ResNetV2.entries[name] != nil || TorchvisionResNet.entries[name] != nil
    }
}
