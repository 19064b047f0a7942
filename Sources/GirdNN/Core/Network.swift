import GirdTensor

/// What a network's forward pass gives: the logits and the taps that were asked for.
public struct NetworkOutput {
    public let logits: Tensor
    /// The requested taps by name (references to tensors the pass made anyway:
    /// nothing is copied).
    public let features: [String: Tensor]

    public init(logits: Tensor, features: [String: Tensor] = [:]) {
        self.logits = logits
        self.features = features
    }
}

/// Collects the taps a caller asked for during one forward pass.
public struct TapRecorder {
    let wanted: Set<String>
    private(set) var features: [String: Tensor] = [:]

    init(wanted: Set<String>) { self.wanted = wanted }

    /// Keeps `tensor` under `name` if it was asked for.
    public mutating func offer(_ name: String, _ tensor: Tensor) {
        if wanted.contains(name) { features[name] = tensor }
    }
}

/// A classifier of the zoo: input [N, C, H, W] (`imageSize` square), logits [N, classes], and
/// named layers a distillation loss may tap.
///
/// Tap names are the same across families: `stem` (after the first
/// conv-BN-ReLU), `stage1`...`stageN` (each stage's output), `stageK.preact`
/// (the same before its final ReLU, where the zoo distinguishes them, as
/// RepDistiller's `preact=True`), `embedding` (the pooled, flattened
/// features the classifier reads), `logits`.
open class Network: Module {
    public let name: String
    public let classes: Int
    /// The head after the pooled features (`ModelZoo.make(head:)`).
    public internal(set) var head: HeadKind = .classifier
    /// The stride of the last stage, where the zoo lets it be chosen (1 for
    /// re-ID's larger final maps); nil: the architecture's own.
    public internal(set) var lastStride: Int?

    public init(name: String, classes: Int) {
        self.name = name
        self.classes = classes
        super.init()
    }

    /// The side of the square images the architecture was made for: 32 for
    /// the CIFAR zoo, 224 for torchvision's ImageNet networks (which take any
    /// size from 32); the default input of `summary` and `export_onnx`.
    open var imageSize: Int { 32 }

    /// Every tap this network offers, shallow to deep.
    open var tapNames: [String] { preconditionFailure("\(type(of: self)) must list its taps") }

    /// The forward pass; calls `taps.offer` for every tap in `tapNames`.
    open func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        preconditionFailure("\(type(of: self)) must override forward(_:taps:)")
    }

    /// Logits and the requested taps. An unknown tap name is an error that
    /// lists the taps this network has.
    public func forward(_ input: Tensor, taps wanted: [String]) throws -> NetworkOutput {
        let known = Set(tapNames)
        if let unknown = wanted.first(where: { !known.contains($0) }) {
            throw NetworkError.unknownTap(network: name, tap: unknown, available: tapNames)
        }
        var recorder = TapRecorder(wanted: Set(wanted))
        let logits = try forward(input, taps: &recorder)
        recorder.offer("logits", logits)
        return NetworkOutput(logits: logits, features: recorder.features)
    }

    /// The logits alone.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        var recorder = TapRecorder(wanted: [])
        return try forward(input, taps: &recorder)
    }
}

public enum NetworkError: Error, Equatable, CustomStringConvertible {
    case unknownTap(network: String, tap: String, available: [String])
    case unknownModel(name: String, suggestions: [String])

    public var description: String {
        switch self {
        case let .unknownTap(network, tap, available):
            return "\(network) has no tap '\(tap)'; its taps are: \(available.joined(separator: ", "))"
        case let .unknownModel(name, suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            return "unknown model '\(name)'\(hint)"
        }
    }
}
