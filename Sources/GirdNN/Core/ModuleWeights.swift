import GirdTensor

/// Why a set of tensors does not fit a module, all of it at once: every
/// missing, unexpected, mis-shaped and unconvertible tensor.
///
///     cannot load weights from teacher.safetensors into resnet8: 1 missing, 1 unexpected, 1 mis-shaped
///       missing: fc.bias
///       unexpected: head.bias
///       mis-shaped: fc.weight is [10, 64] in the model but [100, 64] in the weights
public struct StateDictionaryError: Error, Equatable, CustomStringConvertible {
    public struct Misshaped: Equatable {
        public let name: String
        public let modelShape: [Int]
        public let givenShape: [Int]
    }

    public struct Unconvertible: Equatable {
        public let name: String
        public let reason: String
    }

    /// The file the tensors came from, if any.
    public var source: String?
    /// The module's name (a network's, else its type's).
    public var target: String
    /// Keys of the module's state dictionary the tensors lack, in the module's order.
    public var missing: [String]
    /// Keys the module does not have, sorted.
    public var unexpected: [String]
    public var misshaped: [Misshaped]
    public var unconvertible: [Unconvertible]

    public var description: String {
        var counts: [String] = []
        if !missing.isEmpty { counts.append("\(missing.count) missing") }
        if !unexpected.isEmpty { counts.append("\(unexpected.count) unexpected") }
        if !misshaped.isEmpty { counts.append("\(misshaped.count) mis-shaped") }
        if !unconvertible.isEmpty { counts.append("\(unconvertible.count) of the wrong type") }
        var lines = ["cannot load \(source.map { "weights from \($0)" } ?? "the state dictionary") into \(target): "
                     + counts.joined(separator: ", ")]
        if !missing.isEmpty { lines.append("  missing: " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { lines.append("  unexpected: " + unexpected.joined(separator: ", ")) }
        for item in misshaped {
            lines.append("  mis-shaped: \(item.name) is \(formatShape(item.modelShape)) in the model but \(formatShape(item.givenShape)) in the weights")
        }
        for item in unconvertible { lines.append("  wrong type: \(item.name) \(item.reason)") }
        if let hint { lines.append("  hint: " + hint) }
        return lines.joined(separator: "\n")
    }

    /// A checkpoint saved from `nn.DataParallel` prefixes every key with `module.`.
    private var hint: String? {
        let prefix = "module."
        guard !missing.isEmpty, !unexpected.isEmpty, unexpected.allSatisfy({ $0.hasPrefix(prefix) }),
              Set(missing).isSubset(of: unexpected.map { String($0.dropFirst(prefix.count)) }) else { return nil }
        return "the weights' keys start with 'module.' (saved from nn.DataParallel?); strip that prefix, as scripts/pytorch-to-safetensors.py does"
    }
}

extension Module {
    /// Loads `tensors` (by `state_dict` key) into the module's parameters and
    /// buffers, all or nothing, as PyTorch's `load_state_dict(strict=True)`:
    /// every key of `stateDictionary()` must be present with the same shape
    /// and there must be no other key; otherwise one `StateDictionaryError`
    /// lists every problem and the module is left unchanged.
    ///
    /// Values are copied into the existing tensors, which keep their identity
    /// (an optimizer holding them stays valid). A float tensor offered for an
    /// int64 buffer (`num_batches_tracked`) is converted if its values are
    /// whole numbers, and an int64 tensor offered for a float one is converted.
    public func loadStateDictionary(_ tensors: [String: Tensor]) throws {
        try loadStateDictionary(tensors, source: nil)
    }

    /// Loads a safetensors file with PyTorch `state_dict` names (strict, all
    /// or nothing, as `loadStateDictionary`).
    public func loadWeights(contentsOf path: String) throws {
        try loadStateDictionary(try SafeTensors.load(contentsOf: path), source: path)
    }

    /// Saves the state dictionary as a safetensors file PyTorch's
    /// `load_state_dict` accepts: float32 as F32, `num_batches_tracked` as
    /// I64, metadata `format: pt` (as Hugging Face's writers put it) plus
    /// `metadata`. Written atomically.
    public func saveWeights(to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensors.save(stateDictionary(), metadata: ["format": "pt"].merging(metadata) { _, given in given }, to: path)
    }

    /// `load_state_dict(strict=False)`: the keys both sides have are loaded
    /// (all or nothing: a shape that differs is still an error), and the
    /// model's keys the file lacks and the file's keys the model lacks are
    /// returned, as PyTorch returns them. For a backbone's ImageNet weights
    /// under a new head (a re-ID model from torchvision's ResNet-50).
    @discardableResult
    public func loadWeights(contentsOf path: String, strict: Bool) throws -> (missing: [String], unexpected: [String]) {
        guard !strict else {
            try loadWeights(contentsOf: path)
            return ([], [])
        }
        let tensors = try SafeTensors.load(contentsOf: path)
        let known = stateDictionary().map(\.name)
        let missing = known.filter { tensors[$0] == nil }
        let unexpected = tensors.keys.filter { !known.contains($0) }.sorted()
        try loadStateDictionary(tensors.filter { known.contains($0.key) }, source: path, skipping: Set(missing))
        return (missing, unexpected)
    }

    private func loadStateDictionary(_ tensors: [String: Tensor], source: String?, skipping: Set<String> = []) throws {
        let destinations = stateDictionary()
        var error = StateDictionaryError(source: source, target: (self as? Network)?.name ?? String(describing: type(of: self)),
                                         missing: [], unexpected: [], misshaped: [], unconvertible: [])
        var assignments: [(destination: Tensor, source: Tensor)] = []
        for (name, destination) in destinations where !skipping.contains(name) {
            guard let given = tensors[name] else { error.missing.append(name); continue }
            guard given.shape == destination.shape else {
                error.misshaped.append(.init(name: name, modelShape: destination.shape, givenShape: given.shape))
                continue
            }
            switch Self.converted(given, to: destination.dtype) {
            case .success(let value): assignments.append((destination, value))
            case .failure(let failure): error.unconvertible.append(.init(name: name, reason: failure.reason))
            }
        }
        let known = Set(destinations.map(\.name))
        error.unexpected = tensors.keys.filter { !known.contains($0) }.sorted()
        guard error.missing.isEmpty, error.unexpected.isEmpty, error.misshaped.isEmpty, error.unconvertible.isEmpty else {
            throw error
        }

        try Tensor.copyValues(assignments)
    }

    private struct ConversionFailure: Error { let reason: String }

    /// `tensor` as `dtype`: int64 to float32 always, float32 to int64 if
    /// every value is a whole number int64 holds.
    private static func converted(_ tensor: Tensor, to dtype: DType) -> Result<Tensor, ConversionFailure> {
        guard tensor.dtype != dtype else { return .success(tensor) }
        do {
            if dtype == .float32 { return .success(try Tensor(shape: tensor.shape, values: tensor.toArray())) }
            let values = tensor.toArray()
            if let bad = values.first(where: { !($0.rounded() == $0 && abs($0) < 9.2e18) }) {
                return .failure(ConversionFailure(reason: "is int64 in the model, but the weights hold float32 values such as \(bad), not whole numbers"))
            }
            return .success(try Tensor(shape: tensor.shape, indices: values.map { Int64($0) }))
        } catch {
            return .failure(ConversionFailure(reason: "cannot be converted to \(dtype): \(error)"))
        }
    }
}
