import Foundation
import GirdNN
import GirdTensor

/// A network of the zoo held by a recipe.
public final class ModelObject: RecipeObject {
    public let network: Network
    /// The input channels it was built for (a run directory records them to rebuild it).
    public let inChannels: Int

    public init(network: Network, inChannels: Int) {
        self.network = network
        self.inChannels = inChannels
    }

    public var typeName: String { "model" }
    public var summary: String {
        "<model \(network.name): \(network.parameterCount) parameters, \(network.classes) classes>"
    }

    public func field(_ name: String) -> Value? {
        switch name {
        case "name": return .string(network.name)
        case "classes": return .int(Int64(network.classes))
        default: return nil
        }
    }
}

extension ModelObject {
    /// What `print(m)` shows: the layers, as PyTorch's `print(model)` does,
    /// one registered module a line (`(name): Conv2d(3, 16, ...)`), nested
    /// by two spaces. Functions without weights (ReLU, pooling) are not
    /// modules here, so they are not listed.
    public var layers: String { ModulePrinting.tree(network) }
}

enum ModulePrinting {
    static func tree(_ module: Module, indent: String = "") -> String {
        let children = module.children
        if children.isEmpty { return leaf(module) }
        var text = typeName(module) + "(\n"
        for child in children {
            text += indent + "  (\(child.name)): " + tree(child.module, indent: indent + "  ") + "\n"
        }
        return text + indent + ")"
    }

    /// PyTorch's `extra_repr` of the layers it knows.
    static func leaf(_ module: Module) -> String {
        switch module {
        case let conv as Conv2d:
            let shape = conv.weight.shape
            var text = "Conv2d(\(shape[1] * conv.groups), \(shape[0]), kernel_size=(\(shape[2]), \(shape[3])), stride=(\(conv.stride), \(conv.stride))"
            if conv.padding != 0 { text += ", padding=(\(conv.padding), \(conv.padding))" }
            if conv.dilation != 1 { text += ", dilation=(\(conv.dilation), \(conv.dilation))" }
            if conv.groups != 1 { text += ", groups=\(conv.groups)" }
            if conv.bias == nil { text += ", bias=False" }
            return text + ")"
        case let norm as BatchNorm:
            return "BatchNorm2d(\(norm.weight.count), eps=\(norm.epsilon), momentum=\(norm.momentum), affine=True, track_running_stats=True)"
        case let linear as Linear:
            return "Linear(in_features=\(linear.weight.shape[1]), out_features=\(linear.weight.shape[0]), bias=\(linear.bias == nil ? "False" : "True"))"
        default:
            return typeName(module) + "()"
        }
    }

    static func typeName(_ module: Module) -> String {
        String(describing: type(of: module))
    }
}

extension BuiltinArguments {
    /// The argument called `name` as a model.
    public func model(_ name: String) throws -> Network {
        try object(name, as: ModelObject.self, named: "model").network
    }
}

/// The eval-mode forward of a recipe's `m(x)` and `m.features(x)`: batch norm
/// on running statistics, no gradient recorded; the model's mode is restored.
func evalForward<T>(_ network: Network, _ body: () throws -> T) throws -> T {
    let wasTraining = network.isTraining
    network.eval()
    defer { if wasTraining { network.train() } }
    return try GradMode.withoutGradient(body)
}

extension BuiltinRegistry {
    static var modelBuiltins: [Builtin] {
        [
            Builtin("model", "name, *, classes: 100, in_channels: 3, head: \"classifier\", last_stride: 2", doc: "a freshly initialised network of the zoo: the CIFAR networks, and torchvision's tv_resnet18/34/50, tv_mobilenet_v2 (1000 classes unless classes: is given); head: \"reid\" gives a ResNet the re-ID head (BN neck, bias-free classifier; taps embedding and neck), last_stride: 1 keeps ResNet*/tv_resnet*'s last stage at the third's resolution; weights drawn from the session's generator (see seed)", computes: true) { arguments in
                let name = try arguments.string("name"), inChannels = try arguments.int("in_channels")
                let head = HeadKind(rawValue: try arguments.choice("head", among: HeadKind.allCases.map(\.rawValue)))!
                let lastStride = try arguments.int("last_stride")
                let classes = arguments.isGiven("classes") ? try arguments.int("classes") : ModelZoo.defaultClasses(name)
                guard classes <= BuiltinRegistry.maximumClasses else {
                    throw BuiltinFailure("model(): classes must be at most \(BuiltinRegistry.maximumClasses), got \(classes) (\(BuiltinRegistry.classesLimitReason))")
                }
                guard inChannels <= 4096 else {
                    throw BuiltinFailure("model(): in_channels must be at most 4096, got \(inChannels) (images have 1 or 3 channels; a bound so that a mistyped count fails here instead of exhausting memory)")
                }
                let network = try ModelZoo.make(name, classes: classes, inChannels: inChannels, generator: arguments.context.generator,
                                                head: head, lastStride: lastStride)
                return .object(ModelObject(network: network, inChannels: inChannels))
            },
            Builtin("models", "", doc: "the names of every network of the zoo") { _ in
                .list(ModelZoo.names.map { .string($0) })
            },
            Builtin("load_weights", "m, path, *, strict: true", doc: "loads a safetensors file with PyTorch state_dict names into a model; strict: false loads the names both have (a backbone's ImageNet weights under a re-ID head) and returns {missing, unexpected}, as load_state_dict(strict=False)", computes: true) { arguments in
                let network = try arguments.model("m"), path = try arguments.string("path")
                guard try arguments.bool("strict") else {
                    let (missing, unexpected) = try network.loadWeights(contentsOf: path, strict: false)
                    return .record(Record([("missing", .list(missing.map { .string($0) })),
                                           ("unexpected", .list(unexpected.map { .string($0) }))]))
                }
                try network.loadWeights(contentsOf: path)
                return .none
            },
            Builtin("save_weights", "m, path", doc: "saves a model's weights (safetensors, PyTorch state_dict names, BN running stats)") { arguments in
                let network = try arguments.model("m"), path = try arguments.writablePath("path")
                if arguments.context.isDryRun {
                    try BuiltinRegistry.checkWritableFolder(of: path, builtin: "save_weights")
                    return .none
                }
                try network.saveWeights(to: path, metadata: ["model": network.name, "classes": String(network.classes)])
                return .none
            },
            Builtin(method: "params", of: "model", "", doc: "the number of trainable parameters") { arguments in
                .int(Int64(try arguments.receiverObject(as: ModelObject.self).network.parameterCount))
            },
            Builtin(method: "taps", of: "model", "", doc: "the layer names a loss can tap (stem, stages, .preact, embedding, logits)") { arguments in
                .list(try arguments.receiverObject(as: ModelObject.self).network.tapNames.map { .string($0) })
            },
            Builtin(method: BuiltinRegistry.callMember, of: "model", "x", doc: "the eval-mode forward: logits [N, classes]") { arguments in
                let network = try arguments.receiverObject(as: ModelObject.self).network
                let x = try arguments.tensor("x")
                return .tensor(try arguments.context.interruptible(at: arguments.span) { try evalForward(network) { try network(x) } })
            },
            Builtin(method: "features", of: "model", "x", doc: "a record of every tap's output in eval mode (dotted names: r[\"stage1.preact\"])") { arguments in
                let network = try arguments.receiverObject(as: ModelObject.self).network
                let x = try arguments.tensor("x")
                let taps = network.tapNames
                let output = try arguments.context.interruptible(at: arguments.span) {
                    try evalForward(network) { try network.forward(x, taps: taps) }
                }
                var record = Record()
                for tap in taps {
                    if let feature = output.features[tap] { record[tap] = .tensor(feature) }
                }
                if record["logits"] == nil { record["logits"] = .tensor(output.logits) }
                return .record(record)
            },
        ]
    }
}
