import Foundation
import GirdTensor
import GirdNN

/// The PyTorch reference files of one model, as `scripts/zoo_reference.py`
/// writes them (the layout is described in `Fixtures/README.md`). There are
/// no weight files: both sides compute the weights and the input from one
/// formula (`FixtureHash`), and the files hold only the batch-norm shifts
/// the script moved off ReLU kinks, and the references.
struct PyTorchFixtures {
    /// `Tests/GirdNNTests/Fixtures`, found from this file's path: the files are
    /// excluded from the target rather than copied into a resource bundle.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    let model: String
    var directory: URL { Self.root.appendingPathComponent(model) }

    init(_ model: String) { self.model = model }

    static func labels() throws -> Tensor { try NumPyFile.load(contentsOf: root.appendingPathComponent("labels.npy").path) }

    private var overridesPath: String { directory.appendingPathComponent("overrides.safetensors").path }

    /// The model's 2-image batch: the formula under the name the script
    /// chose for its conditioning (metadata `input`: "input", "input.1", ...),
    /// of the shape it gives (`input_shape`, torchvision's networks: 64x64;
    /// [2, 3, 32, 32] when absent).
    func input() throws -> Tensor {
        let metadata = try SafeTensors.metadata(contentsOf: overridesPath)
        var shape = [2, 3, 32, 32]
        if let text = metadata["input_shape"] {
            guard let parsed = try? JSONDecoder().decode([Int].self, from: Data(text.utf8)), parsed.count == 4 else {
                throw FixtureError(description: "\(overridesPath): input_shape '\(text)' is not [N, C, H, W]")
            }
            shape = parsed
        }
        return try FixtureHash.input(name: metadata["input"] ?? "input", shape: shape)
    }

    /// The model's state dictionary: the formula for every entry, then the
    /// entries the script overrode.
    func weights(for model: Module) throws -> [String: Tensor] {
        var tensors = FixtureHash.stateDictionary(for: model)
        for (name, tensor) in try SafeTensors.load(contentsOf: overridesPath) {
            guard tensors[name] != nil else { throw FixtureError(description: "\(overridesPath): \(name) is not in the model") }
            tensors[name] = tensor
        }
        return tensors
    }

    /// Every tap of `eval.safetensors` by name (the logits are the tap `logits`).
    func evaluationTaps() throws -> [String: Reference] {
        try Reference.all(in: SafeTensors.load(contentsOf: directory.appendingPathComponent("eval.safetensors").path))
    }

    var trainingPath: String { directory.appendingPathComponent("train.safetensors").path }

    var hasTrainingStep: Bool { FileManager.default.fileExists(atPath: trainingPath) }

    /// `train.safetensors`: `logits`, `loss`, `grad/<parameter>`, `buffer/<buffer>`.
    func trainingStep() throws -> [String: Reference] {
        try Reference.all(in: SafeTensors.load(contentsOf: trainingPath))
    }

    /// How far float32 lands from the float64 reference, per gradient, as the
    /// script measured it with two float32 PyTorch evaluations that round
    /// differently (its `prepare_training_step`): what no float32 engine can beat.
    func float32Discrepancies() throws -> [String: Double] {
        guard let text = try SafeTensors.metadata(contentsOf: trainingPath)["float32_discrepancy"] else { return [:] }
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let values = object as? [String: Double] else {
            throw FixtureError(description: "\(trainingPath): float32_discrepancy is not a JSON object of numbers")
        }
        return values
    }

    /// The same for the training-mode forward (logits, loss, batch-norm
    /// buffers), where the script stored it (`float32_forward_discrepancy`;
    /// nil in fixtures made before it did).
    func float32ForwardDiscrepancy() throws -> Double? {
        try SafeTensors.metadata(contentsOf: trainingPath)["float32_forward_discrepancy"].flatMap(Double.init)
    }
}

/// The formula both sides compute bit for bit (`zoo_reference.py`'s
/// `hash_stream`, `formula_tensor`): for a name and an element index i,
/// z = splitmix64 finaliser of (FNV-1a 64 of the name's UTF-8) &+ i &* golden;
/// u = Float(z >> 40) / 2^24 (exact), v = 2u − 1 (exact). Every further step is
/// one correctly rounded float32 operation, the same in numpy.
enum FixtureHash {
    static let samples = 512, fullLimit = 1024, projections = 4

    static func fnv1a(_ name: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }

    @inline(__always)
    static func mix(_ h: UInt64, _ i: Int) -> UInt64 {
        var z = h &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func uniform(_ name: String, count: Int) -> [Float] {
        let h = fnv1a(name)
        return (0..<count).map { Float(mix(h, $0) >> 40) / 16_777_216 }
    }

    /// One state-dictionary entry's values (see `formula_tensor` in the script).
    static func values(of key: String, shape: [Int], shapes: [String: [Int]]) -> [Float] {
        let dot = key.lastIndex(of: ".")
        let prefix = dot.map { String(key[..<$0]) } ?? "", leaf = dot.map { String(key[key.index(after: $0)...]) } ?? key
        let count = shape.reduce(1, *)
        let u = uniform(key, count: count)
        let batchNorm = shapes[prefix + ".running_mean"] != nil
        let v = u.map { 2 * $0 - 1 }
        switch leaf {
        case "running_mean": return v.map { Float(0.1) * $0 }
        case "running_var": return u.map { 1 + Float(0.5) * $0 }
        case "weight" where batchNorm: return v.map { 1 + Float(0.25) * $0 }
        case "bias" where batchNorm: return v.map { Float(0.2) * $0 }
        case "weight":
            let scale = (Float(6) / Float(shape.dropFirst().reduce(1, *))).squareRoot()
            return v.map { $0 * scale }
        case "bias":
            let fanIn = (shapes[prefix + ".weight"] ?? [1, 1]).dropFirst().reduce(1, *)
            let scale = Float(1) / Float(fanIn).squareRoot()
            return v.map { $0 * scale }
        default: preconditionFailure("no formula for state_dict key \(key)")
        }
    }

    static func stateDictionary(for model: Module) -> [String: Tensor] {
        let entries = model.stateDictionary()
        let shapes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.tensor.shape) })
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in entries {
            if tensor.dtype == .int64 {
                tensors[name] = Tensor.zeros(tensor.shape, dtype: .int64)  // num_batches_tracked
            } else {
                tensors[name] = try! Tensor(shape: tensor.shape, values: values(of: name, shape: tensor.shape, shapes: shapes))
            }
        }
        return tensors
    }

    static func input(name: String, shape: [Int] = [2, 3, 32, 32]) throws -> Tensor {
        try Tensor(shape: shape, values: uniform(name, count: shape.reduce(1, *)).map { 2 * $0 - 1 })
    }

    static func sampleIndices(_ name: String, count: Int) -> [Int] {
        let h = fnv1a("sample:" + name)
        return (0..<samples).map { Int(mix(h, $0) % UInt64(count)) }
    }

    /// Σ s_i x_i in Double, s_i = −1 where the hash of "sign{j}:" + name has its top bit set.
    static func projection(_ j: Int, of name: String, _ x: [Float]) -> Double {
        let h = fnv1a("sign\(j):" + name)
        var sum = 0.0
        for i in x.indices { sum += mix(h, i) >> 63 == 0 ? Double(x[i]) : -Double(x[i]) }
        return sum
    }
}

/// A reference as the files hold it: whole (tensors of at most 1024
/// elements), or sampled. A sampled tensor `key` is stored as `key#samples`
/// (512 values at hashed positions), `key#sums` (float32 (hi, lo) pairs, hi
/// + lo being a float64 the reader would otherwise narrow: 4 signed
/// projections Σ s_i x_i over every element, Σ|x_i|, sqrt(Σ x_i²), max|x_i|)
/// and `key#shape`.
///
/// Why both: a projection with random ±1 signs sums every element, so an
/// error anywhere in the tensor (a wrong channel, a border, a scale) moves
/// it, by about its own L2 size, while float32's independent roundings add
/// up only to about the tensor's relative rounding times its L2 norm; the
/// samples measure single elements with the usual max-measure, which
/// catches a large local error the projections, normalised by the whole
/// tensor's norm, would dilute.
enum Reference {
    case full(Tensor)
    case sampled(shape: [Int], samples: [Float], projections: [Double], absoluteSum: Double, norm: Double, maxMagnitude: Double)

    static func all(in tensors: [String: Tensor]) throws -> [String: Reference] {
        var result: [String: Reference] = [:]
        for (key, tensor) in tensors {
            if key.hasSuffix("#samples") {
                let name = String(key.dropLast("#samples".count))
                guard let sums = tensors[name + "#sums"]?.toArray(), sums.count == 2 * (FixtureHash.projections + 3),
                      let shape = tensors[name + "#shape"]?.toIndices() else {
                    throw FixtureError(description: "\(name): #samples without #sums or #shape")
                }
                let values = (0..<(FixtureHash.projections + 3)).map { Double(sums[2 * $0]) + Double(sums[2 * $0 + 1]) }
                result[name] = .sampled(shape: shape.map(Int.init), samples: tensor.toArray(),
                                        projections: Array(values[..<FixtureHash.projections]),
                                        absoluteSum: values[FixtureHash.projections], norm: values[FixtureHash.projections + 1],
                                        maxMagnitude: values[FixtureHash.projections + 2])
            } else if !key.contains("#") {
                result[key] = .full(tensor)
            }
        }
        return result
    }

    var shape: [Int] {
        switch self {
        case .full(let tensor): return tensor.shape
        case .sampled(let shape, _, _, _, _, _): return shape
        }
    }

    /// The largest magnitude of the whole reference.
    var maxMagnitude: Double {
        switch self {
        case .full(let tensor): return Double(tensor.toArray().lazy.map(abs).max() ?? 0)
        case .sampled(_, _, _, _, _, let magnitude): return magnitude
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
}

/// How far a GIRD tensor is from PyTorch's:
///
///     max_i |a_i − b_i| / max(max_i |b_i|, 1e-7)
///
/// the largest difference in units of the reference's largest magnitude.
/// Per-element relative error is the wrong yardstick for these tensors: they
/// are full of values that cancel to nearly zero (ReLU boundaries, mixed-sign
/// gradients), and a float32 sum's rounding error is proportional to the size
/// of the terms summed, not to the result, so an element that cancels to 1e-9
/// legitimately differs by ~1e-7 × its terms. Normalising by the tensor's own
/// largest value measures every element against the scale the tensor works
/// at, and does not depend on the overall scale of activations or gradients.
/// A gradient that is zero by construction (a bias followed by batch norm
/// in training mode: VGG's conv biases, MobileNetV2's last batch-norm shifts
/// before a conv and batch norm) has a reference of rounding residue, ~1e-16
/// of the model's gradients in float64; pass the model's largest gradient as
/// `scale`, and such a tensor (max |b| ≤ 1e-6 · scale) is measured against
/// `scale` instead: it must be zero to within the model's own rounding. The
/// 1e-7 floor turns the measure into an absolute one for a reference that is
/// all (near) zero; no activation in the fixtures is that small.
struct Discrepancy: Comparable {
    var relative: Double
    var maxAbsoluteDifference: Double
    var referenceMagnitude: Double
    /// For a sampled reference, the projections' largest difference.
    var projectionDifference: Double?

    init(_ actual: Tensor, _ reference: Tensor, scale: Double? = nil) {
        let a = actual.toArray(), b = reference.toArray()
        precondition(a.count == b.count, "compare tensors of the same shape")
        var difference = 0.0, magnitude = 0.0
        for (x, y) in zip(a, b) {
            // A NaN must not hide behind max(): it makes the discrepancy infinite.
            let d = Swift.abs(Double(x) - Double(y))
            difference = d.isNaN ? .infinity : Swift.max(difference, d)
            magnitude = Swift.max(magnitude, Swift.abs(Double(y)))
        }
        maxAbsoluteDifference = difference
        if let scale, magnitude <= 1e-6 * scale { magnitude = scale }
        referenceMagnitude = magnitude
        relative = difference / Swift.max(magnitude, 1e-7)
    }

    /// The same measure on a sampled reference (see `Reference`): the
    /// samples' largest difference over the whole tensor's largest magnitude,
    /// or, if larger, the projections' largest difference over the tensor's
    /// L2 norm (with `scale`, a tensor zero by construction is measured
    /// against scale × sqrt(count) instead).
    init(_ actual: Tensor, sampled name: String, samples: [Float], projections: [Double], norm: Double,
         maxMagnitude: Double, scale: Double? = nil) {
        let a = actual.toArray()
        var difference = 0.0
        for (index, y) in zip(FixtureHash.sampleIndices(name, count: a.count), samples) {
            let d = Swift.abs(Double(a[index]) - Double(y))
            difference = d.isNaN ? .infinity : Swift.max(difference, d)
        }
        var magnitude = maxMagnitude, norm = norm
        if let scale, magnitude <= 1e-6 * scale {
            magnitude = scale
            norm = scale * Double(a.count).squareRoot()
        }
        var projected = 0.0
        for (j, reference) in projections.enumerated() {
            let d = Swift.abs(FixtureHash.projection(j, of: name, a) - reference)
            projected = d.isNaN ? .infinity : Swift.max(projected, d)
        }
        maxAbsoluteDifference = difference
        referenceMagnitude = magnitude
        projectionDifference = projected
        relative = Swift.max(difference / Swift.max(magnitude, 1e-7), projected / Swift.max(norm, 1e-7))
    }

    static func < (lhs: Discrepancy, rhs: Discrepancy) -> Bool { lhs.relative < rhs.relative }

    var summary: String {
        String(format: "%.2e (max |diff| %.3g over %.3g", relative, maxAbsoluteDifference, referenceMagnitude)
            + (projectionDifference.map { String(format: "; projections %.3g", $0) } ?? "") + ")"
    }
}
