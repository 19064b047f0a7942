import Foundation

/// A seeded, deterministic source of random numbers: Philox-4x32-10, the
/// counter-based generator of Salmon, Moraes, Dror & Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3" (SC 2011), also behind cuRAND and PyTorch's
/// CUDA generator.
///
/// The stream is a sequence of 32-bit words: word n is lane n % 4 of the
/// Philox block for counter n / 4 under the key `seed`. Nothing else is
/// hidden, so the whole state is two integers (the seed and how many words
/// have been used): a checkpoint saves `state` and restoring it resumes the
/// stream exactly, on any machine. Every consumer documents how many words it
/// takes, so that a run is reproducible from its seeds alone.
///
/// A class, like `torch.Generator`: the dropout layers of a model and a data
/// loader that should share one stream share the object. Not thread-safe:
/// give each thread its own generator (a different seed).
public final class RandomGenerator: RandomNumberGenerator {
    /// Everything needed to resume the stream.
    public struct State: Hashable, Codable, Sendable {
        /// The Philox key.
        public var seed: UInt64
        /// How many 32-bit words of the stream have been consumed.
        public var offset: UInt64

        public init(seed: UInt64, offset: UInt64 = 0) {
            self.seed = seed
            self.offset = offset
        }
    }

    public var state: State {
        get { State(seed: seed, offset: offset) }
        set {
            seed = newValue.seed
            offset = newValue.offset
            cachedCounter = nil
        }
    }

    private var seed: UInt64
    private var offset: UInt64
    /// The Philox block of the current counter, kept so that four words
    /// cost one block; derived from the state, never saved.
    private var cachedCounter: UInt64?
    private var cachedBlock = SIMD4<UInt32>()

    public init(seed: UInt64) {
        self.seed = seed
        self.offset = 0
    }

    public convenience init(state: State) {
        self.init(seed: state.seed)
        offset = state.offset
    }

    /// The next 32-bit word of the stream.
    public func nextWord() -> UInt32 {
        let counter = offset >> 2
        if cachedCounter != counter {
            cachedBlock = Self.block(counter, seed: seed)
            cachedCounter = counter
        }
        let word = cachedBlock[Int(offset & 3)]
        offset &+= 1
        return word
    }

    /// The next `words.count` words of the stream: the words `nextWord()`
    /// would give, a whole Philox block at a time (several times faster
    /// for a tensor's worth).
    func fill(_ words: UnsafeMutableBufferPointer<UInt32>) {
        var i = 0
        while i < words.count && offset & 3 != 0 { words[i] = nextWord(); i += 1 }
        // Seed and counter in locals: class properties in the loop would pay
        // for an exclusivity check on every access.
        let blocks = (words.count - i) / 4, first = offset >> 2, seed = seed
        for index in 0..<blocks {
            let block = Self.block(first &+ UInt64(index), seed: seed)
            (words[i], words[i + 1], words[i + 2], words[i + 3]) = (block.x, block.y, block.z, block.w)
            i += 4
        }
        offset &+= UInt64(blocks) << 2
        while i < words.count { words[i] = nextWord(); i += 1 }
    }

    /// Uniform floats in [0, 1), one word each, as `nextUniform()` gives
    /// them. The words are drawn into the floats' own memory and converted
    /// in place.
    func fillUniform(_ values: UnsafeMutableBufferPointer<Float>) {
        values.withMemoryRebound(to: UInt32.self) { words in
            fill(words)
            for i in words.indices { words[i] = (Float(words[i] >> 8) * 0x1p-24).bitPattern }
        }
    }

    /// Two words, the first in the high half (`RandomNumberGenerator`, so
    /// that the standard library's `shuffled(using:)` and kin accept it).
    public func next() -> UInt64 {
        let high = UInt64(nextWord())
        return high << 32 | UInt64(nextWord())
    }

    /// A uniform float in [0, 1) from one word: its top 24 bits, the
    /// precision a float has just below 1, so every value is equally likely.
    public func nextUniform() -> Float {
        Float(nextWord() >> 8) * 0x1p-24
    }

    /// Two independent standard normal values from two words (Box–Muller).
    public func nextNormalPair() -> (Float, Float) {
        let first = nextWord()
        return Self.boxMuller(first, nextWord())
    }

    /// Box–Muller in double precision: r = sqrt(−2 ln u1), θ = 2π u2, giving
    /// (r cos θ, r sin θ). u1 is taken in (0, 1] so that its logarithm is
    /// finite; with 32-bit words the largest magnitude is sqrt(2 ln 2^32) ≈ 6.7.
    private static func boxMuller(_ first: UInt32, _ second: UInt32) -> (Float, Float) {
        let u1 = (Double(first) + 1) * 0x1p-32
        let u2 = Double(second) * 0x1p-32
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (Float(radius * Foundation.cos(angle)), Float(radius * Foundation.sin(angle)))
    }

    /// Standard normal values, as successive `nextNormalPair()` calls give
    /// them; an odd count takes one pair more and drops its second value.
    func fillNormal(_ values: UnsafeMutableBufferPointer<Float>) {
        let pairs = values.count / 2
        values.withMemoryRebound(to: UInt32.self) { words in
            fill(UnsafeMutableBufferPointer(rebasing: words[..<(2 * pairs)]))
            for k in 0..<pairs {
                let (a, b) = Self.boxMuller(words[2 * k], words[2 * k + 1])
                (words[2 * k], words[2 * k + 1]) = (a.bitPattern, b.bitPattern)
            }
        }
        if values.count % 2 == 1 { values[values.count - 1] = nextNormalPair().0 }
    }

    /// A uniform integer in [0, bound), without modulo bias (Lemire's
    /// multiply-and-reject); two words per try, almost always one try.
    public func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// A uniformly random ordering of 0..<n (Fisher–Yates, from the back),
    /// as `torch.randperm`; what a loader shuffles an epoch with.
    public func permutation(_ n: Int) -> [Int] {
        var order = Array(0..<Swift.max(n, 0))
        var i = order.count - 1
        while i > 0 {
            order.swapAt(i, nextInt(below: i + 1))
            i -= 1
        }
        return order
    }

    // MARK: Philox-4x32-10

    /// Block `counter` of the stream of `seed`: the 64-bit counter fills the
    /// first two counter words, the seed the two key words, low halves first.
    private static func block(_ counter: UInt64, seed: UInt64) -> SIMD4<UInt32> {
        philox(counter: SIMD4(UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32), 0, 0),
               key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }

    /// One Philox block: ten rounds of two 32x32→64 multiplies whose halves
    /// are mixed with the other lanes and the key, the key bumped by the
    /// Weyl constants between rounds (Random123's reference algorithm).
    static func philox(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        // Scalar lanes: SIMD4 element shuffles each round compile to slow code.
        var (c0, c1, c2, c3) = (counter.x, counter.y, counter.z, counter.w)
        var (k0, k1) = (key.x, key.y)
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            (c0, c1, c2, c3) = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0, UInt32(truncatingIfNeeded: p1),
                                UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1, UInt32(truncatingIfNeeded: p0))
        }
        return SIMD4(c0, c1, c2, c3)
    }
}
