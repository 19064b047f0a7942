import GirdTensor
import GirdSuggestions

/// What every zoo constructor takes.
public struct ZooOptions {
    public var classes: Int
    public var inChannels: Int
    public var generator: RandomGenerator
}

public typealias ZooBuilder = (ZooOptions) throws -> Network

/// The CIFAR model zoo of the distillation literature (RepDistiller's
/// `models/`), by the names papers use.
public enum ModelZoo {
    static let builders: [String: ZooBuilder] = {
        var all: [String: ZooBuilder] = [:]
        let families = [ResNetCIFAR.entries, WideResNet.entries, VGG.entries, ResNetV2.entries,
                        MobileNetV2.entries, ShuffleNetV1.entries, ShuffleNetV2.entries]
        for family in families {
            all.merge(family) { first, _ in first }
        }
        return all
    }()

    /// Every model name, sorted.
    public static var names: [String] { builders.keys.sorted() }

    /// A freshly initialised network. Images are 32x32 with `inChannels`
    /// channels (1 for grey images: only the stem changes).
    public static func make(_ name: String, classes: Int = 100, inChannels: Int = 3,
                            generator: RandomGenerator = RandomGenerator(seed: 0)) throws -> Network {
        guard let builder = builders[name] else {
            throw NetworkError.unknownModel(name: name, suggestions: NameSuggestions.closest(to: name, among: names))
        }
        guard classes > 0, inChannels > 0 else {
            throw TensorError.invalidArgument(op: "model", message: "classes and inChannels must be positive, got \(classes) and \(inChannels)")
        }
        return try builder(ZooOptions(classes: classes, inChannels: inChannels, generator: generator))
    }
}
