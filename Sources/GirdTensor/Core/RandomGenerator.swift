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
            cachedBlock = Self.philox(
                counter: SIMD4(UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32), 0, 0),
                key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
            cachedCounter = counter
        }
        let word = cachedBlock[Int(offset & 3)]
        offset &+= 1
        return word
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
    /// u1 is taken in (0, 1] so that its logarithm is finite; with 32-bit
    /// words the largest magnitude is sqrt(2 ln 2^32) ≈ 6.7.
    public func nextNormalPair() -> (Float, Float) {
        let u1 = (Double(nextWord()) + 1) * 0x1p-32
        let u2 = Double(nextWord()) * 0x1p-32
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (Float(radius * Foundation.cos(angle)), Float(radius * Foundation.sin(angle)))
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

    /// One Philox block: ten rounds of two 32x32→64 multiplies whose halves
    /// are mixed with the other lanes and the key, the key bumped by the
    /// Weyl constants between rounds (Random123's reference algorithm).
    static func philox(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c = counter, k = key
        for round in 0..<10 {
            if round > 0 {
                k.x &+= 0x9E37_79B9
                k.y &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c.x)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c.z)
            c = SIMD4(UInt32(truncatingIfNeeded: p1 >> 32) ^ c.y ^ k.x, UInt32(truncatingIfNeeded: p1),
                      UInt32(truncatingIfNeeded: p0 >> 32) ^ c.w ^ k.y, UInt32(truncatingIfNeeded: p0))
        }
        return c
    }
}
