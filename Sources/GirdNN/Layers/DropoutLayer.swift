import GirdTensor

/// `nn.Dropout`: in training mode each element is zeroed with probability p
/// and the rest scaled by 1/(1 − p); in evaluation mode the identity.
///
/// Where the masks come from. A training loop sets `stepKey` on every
/// dropout of the model before each step (`Module.setDropoutKey`), and the
/// mask is then a function of that key and the layer's own salt: the same
/// run gives the same masks on every machine, and a resumed run draws, at
/// step s, what the uninterrupted run drew, with no generator state in the
/// checkpoint. Outside a training loop (a training-mode forward in the REPL)
/// the layer draws from its own generator, seeded by the salt.
public final class Dropout: Layer {
    public var probability: Float
    /// Drawn from the model's generator at construction: two dropouts of one
    /// model never share masks.
    let salt: UInt64
    private let ownGenerator: RandomGenerator
    /// The current training step's key; nil outside a training loop.
    public var stepKey: UInt64?

    public init(probability: Float, generator: RandomGenerator) throws {
        guard probability >= 0, probability <= 1 else {
            throw TensorError.invalidArgument(op: "Dropout", message: "probability must be in [0, 1], got \(probability)")
        }
        self.probability = probability
        salt = generator.next()
        ownGenerator = RandomGenerator(seed: salt)
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        guard isTraining, probability > 0 else { return input }
        let generator = stepKey.map { RandomGenerator(seed: Self.mix($0 ^ salt)) } ?? ownGenerator
        return try input.dropout(probability: probability, training: true, generator: generator)
    }

    /// The key of one training step of one rank: SplitMix64's finaliser over
    /// the run's seed, the global step (counted from 0 over all epochs) and
    /// the rank, so that ranks drop different elements of their shards.
    public static func stepKey(seed: UInt64, step: Int, rank: Int) -> UInt64 {
        mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* (UInt64(truncatingIfNeeded: step) &* 0x1_0000 &+ UInt64(truncatingIfNeeded: rank) &+ 1))
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Module {
    /// Sets (or, with nil, clears) the step key of every dropout below this module.
    public func setDropoutKey(_ key: UInt64?) {
        for case let dropout as Dropout in descendants { dropout.stepKey = key }
    }

    /// Whether any layer below draws random masks in training mode.
    public var hasDropout: Bool { descendants.contains { ($0 as? Dropout).map { $0.probability > 0 } ?? false } }
}
