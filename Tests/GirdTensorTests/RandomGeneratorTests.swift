import Foundation
import XCTest
@testable import GirdTensor

final class RandomGeneratorTests: XCTestCase {
    func testPhiloxKnownAnswers() {
        // Random123's published known-answer vectors for Philox-4x32-10.
        XCTAssertEqual(RandomGenerator.philox(counter: .zero, key: .zero),
                       SIMD4(0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8))
        XCTAssertEqual(RandomGenerator.philox(counter: SIMD4(repeating: 0xFFFF_FFFF), key: SIMD2(repeating: 0xFFFF_FFFF)),
                       SIMD4(0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD))
        XCTAssertEqual(RandomGenerator.philox(counter: SIMD4(0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344),
                                              key: SIMD2(0xA409_3822, 0x299F_31D0)),
                       SIMD4(0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1))
    }

    func testStreamIsPhiloxBlocksInCounterOrder() {
        // Seed 0, counter 0 is the first known-answer vector.
        let generator = RandomGenerator(seed: 0)
        XCTAssertEqual((0..<4).map { _ in generator.nextWord() }, [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let second = RandomGenerator.philox(counter: SIMD4(1, 0, 0, 0), key: .zero)
        XCTAssertEqual((0..<4).map { _ in generator.nextWord() }, [second.x, second.y, second.z, second.w])
        // The seed's low half is the first key word; word 13 is lane 1 of block 3.
        let placed = RandomGenerator(state: .init(seed: 0x0000_0005_0000_0007, offset: 13))
        XCTAssertEqual(placed.nextWord(), RandomGenerator.philox(counter: SIMD4(3, 0, 0, 0), key: SIMD2(7, 5)).y)
    }

    func testUniformUsesTopTwentyFourBits() {
        // 0x6627E8D5 >> 8 = 0x6627E8 = 6694888; / 2^24 = 0.39904642105...
        XCTAssertEqual(RandomGenerator(seed: 0).nextUniform(), 0.399_046_42, accuracy: 1e-7)
    }

    func testTensorsTakeTheSameWordsAsSingleDraws() throws {
        // rand and randn fill whole Philox blocks at once; starting inside a
        // block (offset 3) they must still match draw-by-draw results.
        let bulk = RandomGenerator(state: .init(seed: 21, offset: 3))
        let single = RandomGenerator(state: .init(seed: 21, offset: 3))
        XCTAssertEqual(try Tensor.rand([13], generator: bulk).toArray(), (0..<13).map { _ in single.nextUniform() })
        var normals: [Float] = []
        for _ in 0..<4 {
            let (a, b) = single.nextNormalPair()
            normals += [a, b]
        }
        XCTAssertEqual(try Tensor.randn([7], generator: bulk).toArray(), Array(normals[..<7]))
        XCTAssertEqual(bulk.state, single.state)
        // Fewer words than the rest of the block: the offset moves by exactly that.
        let short = RandomGenerator(state: .init(seed: 21, offset: 1))
        let reference = RandomGenerator(state: .init(seed: 21, offset: 1))
        XCTAssertEqual(try Tensor.rand([2], generator: short).toArray(), [reference.nextUniform(), reference.nextUniform()])
        XCTAssertEqual(short.state.offset, 3)
    }

    func testSameSeedSameTensorDifferentSeedDifferent() throws {
        let a = try Tensor.randn([3, 5], generator: RandomGenerator(seed: 42)).toArray()
        let b = try Tensor.randn([3, 5], generator: RandomGenerator(seed: 42)).toArray()
        let c = try Tensor.randn([3, 5], generator: RandomGenerator(seed: 43)).toArray()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(try Tensor.rand([7], generator: RandomGenerator(seed: 1)).toArray(),
                       try Tensor.rand([7], generator: RandomGenerator(seed: 1)).toArray())
    }

    func testSavedStateResumesTheStream() throws {
        let generator = RandomGenerator(seed: 9)
        _ = (0..<3).map { _ in generator.nextWord() }   // stop inside a block
        let saved = generator.state
        XCTAssertEqual(saved, RandomGenerator.State(seed: 9, offset: 3))
        let expected = try Tensor.randn([11], generator: generator).toArray()
        generator.state = saved
        XCTAssertEqual(try Tensor.randn([11], generator: generator).toArray(), expected)
        // A new generator from the state, as after loading a checkpoint.
        let restored = RandomGenerator(state: saved)
        XCTAssertEqual(try Tensor.randn([11], generator: restored).toArray(), expected)
        XCTAssertEqual(restored.state, generator.state)
        // 11 normals take 6 pairs of words.
        XCTAssertEqual(generator.state.offset, 3 + 12)
    }

    func testStateSurvivesJSON() throws {
        let state = RandomGenerator.State(seed: .max, offset: 1 << 40)
        let data = try JSONEncoder().encode(state)
        XCTAssertEqual(try JSONDecoder().decode(RandomGenerator.State.self, from: data), state)
    }

    func testUniformAndNormalMoments() throws {
        // 100,000 draws: the mean of uniforms has standard error 0.29/316 ≈
        // 0.0009, of normals 0.0032; the bounds are several times wider.
        let n = 100_000
        let uniform = try Tensor.rand([n], generator: RandomGenerator(seed: 3)).toArray()
        XCTAssertTrue(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
        let uniformMean = uniform.reduce(0, +) / Float(n)
        XCTAssertEqual(uniformMean, 0.5, accuracy: 0.005)
        XCTAssertEqual(uniform.map { ($0 - uniformMean) * ($0 - uniformMean) }.reduce(0, +) / Float(n), 1.0 / 12, accuracy: 0.002)

        let normal = try Tensor.randn([n], generator: RandomGenerator(seed: 4)).toArray()
        let mean = normal.reduce(0, +) / Float(n)
        let variance = normal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n)
        XCTAssertEqual(mean, 0, accuracy: 0.015)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        // P(|z| < 1) = 0.6827 for a standard normal.
        XCTAssertEqual(Float(normal.filter { Swift.abs($0) < 1 }.count) / Float(n), 0.6827, accuracy: 0.006)
    }

    func testBoundedIntegersAreUniform() {
        let generator = RandomGenerator(seed: 11)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[generator.nextInt(below: 3)] += 1 }
        // Each count is binomial(30000, 1/3): standard deviation ≈ 82.
        for count in counts { XCTAssertEqual(Double(count), 10_000, accuracy: 400) }
    }

    func testPermutation() {
        let a = RandomGenerator(seed: 5).permutation(50)
        XCTAssertEqual(a.sorted(), Array(0..<50))
        XCTAssertNotEqual(a, Array(0..<50))
        XCTAssertEqual(RandomGenerator(seed: 5).permutation(50), a)
        XCTAssertEqual(RandomGenerator(seed: 5).permutation(0), [])
        XCTAssertEqual(RandomGenerator(seed: 5).permutation(1), [0])
        // The standard library accepts the generator too.
        var generator = RandomGenerator(seed: 6)
        XCTAssertEqual([1, 2, 3, 4].shuffled(using: &generator).sorted(), [1, 2, 3, 4])
    }
}
