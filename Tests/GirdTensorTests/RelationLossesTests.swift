import XCTest
@testable import GirdTensor

final class RelationLossesTests: XCTestCase {
    private func blocks(_ generator: inout SplitMix64, layers: Int, shapes: [[Int]]) throws -> [[Tensor]] {
        try (0..<layers).map { _ in
            try shapes.map { shape in
                try Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(generator.nextUnit() * 2 - 1) })
            }
        }
    }

    /// Every variant against central differences, with a bank block whose
    /// last two columns are not valid (their gradient must be 0).
    func testGradientsMatchFiniteDifferences() throws {
        var generator = SplitMix64(seed: 11)
        let shapes = [[3, 3], [3, 4]]
        let teacher = try blocks(&generator, layers: 3, shapes: shapes)
        let student = try blocks(&generator, layers: 3, shapes: shapes)
        for (similarity, evolution) in [(RelationSimilarityLoss.kl(temperature: 0.5), RelationEvolutionLoss.mse),
                                        (.mse, .huber), (.kl(temperature: 2), .huber)] {
            try assertGradientsMatch(Array(student.joined()), eps: 1e-2) { flat in
                let layers = stride(from: 0, to: flat.count, by: 2).map { Array(flat[$0..<$0 + 2]) }
                return try Tensor.relationLosses(student: layers, teacher: teacher, validColumns: [3, 2], similarity: similarity,
                                                 evolution: evolution, pairs: [(0, 1), (1, 2), (0, 2)])
            }
        }
    }

    /// By hand: one layer, B = 2, one block: the compared entries are (0, 1)
    /// and (1, 0). MSE: ((0.5 − 0)² + (−1 − 1)²) / 2 = 2.125, gradient
    /// 2 (s − t) / 2 there and 0 on the diagonal. KL over one entry per row is 0.
    /// Rows run on several threads when the problem is large; values and
    /// gradients are the same bits at 1 and 2 threads.
    func testThreadCountDoesNotChangeABit() throws {
        defer { try? ComputeThreads.set(ComputeThreads.defaultCount) }
        let generator = RandomGenerator(seed: 7)
        let batch = 16, bankRows = 2000
        let student = try (0..<3).map { _ in
            [try Tensor.randn([batch, batch], generator: generator), try Tensor.randn([batch, bankRows], generator: generator)]
        }
        let teacher = try (0..<3).map { _ in
            [try Tensor.randn([batch, batch], generator: generator), try Tensor.randn([batch, bankRows], generator: generator)]
        }
        func run(threads: Int) throws -> (values: [Float], gradients: [[Float]]) {
            try ComputeThreads.set(threads)
            let leaves = try student.map { try $0.map { try $0.detach().requiringGrad() } }
            let terms = try Tensor.relationLosses(student: leaves, teacher: teacher, validColumns: [batch, bankRows],
                                                  similarity: .kl(temperature: 0.1), evolution: .huber, pairs: [(0, 1), (0, 2), (1, 2)])
            try (terms * Tensor(shape: [6], values: [1, 2, 3, 4, 5, 6])).sum().backward()
            return (terms.toArray(), leaves.joined().map { $0.grad!.toArray() })
        }
        let one = try run(threads: 1), two = try run(threads: 2)
        XCTAssertEqual(one.values, two.values)
        XCTAssertEqual(one.gradients, two.gradients)
    }

    func testTwoByTwoByHand() throws {
        let student = try Tensor(shape: [2, 2], values: [9, 0.5, -1, 9]).requiringGrad()
        let teacher = try Tensor(shape: [2, 2], values: [0, 0, 1, 0])
        let mse = try Tensor.relationLosses(student: [[student]], teacher: [[teacher]], validColumns: [2], similarity: .mse,
                                            evolution: .mse, pairs: [])
        XCTAssertEqual(mse.toArray(), [2.125])
        try mse.sum().backward()
        XCTAssertEqual(student.grad?.toArray(), [0, 0.5, -2, 0])
        let kl = try Tensor.relationLosses(student: [[student]], teacher: [[teacher]], validColumns: [2],
                                           similarity: .kl(temperature: 0.1), evolution: .mse, pairs: [])
        XCTAssertEqual(kl.toArray(), [0])
    }

    /// One row and no other column: nothing to compare, every term 0.
    func testNoComparedEntryGivesZero() throws {
        let student = [[try Tensor(shape: [1, 1], values: [1]).requiringGrad()], [try Tensor(shape: [1, 1], values: [1])]]
        let terms = try Tensor.relationLosses(student: student, teacher: student.map { $0.map { $0.detach() } }, validColumns: [1],
                                              similarity: .kl(temperature: 0.1), evolution: .huber, pairs: [(0, 1)])
        XCTAssertEqual(terms.toArray(), [0, 0, 0])
        try terms.sum().backward()
        XCTAssertEqual(student[0][0].grad?.toArray(), [0])
    }

    /// The vectorised exp against Foundation's over the range a softmax row sees.
    func testVectorExpIsWithinAFewUlps() {
        var values = (0..<4096).map { -Float($0) * 0.025 }  // 0 down to about −102
        let expected = values.map { Foundation.exp($0) }
        values.withUnsafeMutableBufferPointer { RelationKernels.exp($0.baseAddress!, $0.count) }
        for (got, want) in zip(values, expected) {
            XCTAssertEqual(got, want, accuracy: max(want * 4e-7, 2e-38))
        }
    }

    func testBadInputsAreRefused() throws {
        let a = Tensor.zeros([2, 2]), b = Tensor.zeros([2, 3])
        XCTAssertThrowsError(try Tensor.relationLosses(student: [[a]], teacher: [[b]], validColumns: [2], similarity: .mse,
                                                       evolution: .mse, pairs: []))
        XCTAssertThrowsError(try Tensor.relationLosses(student: [[a]], teacher: [[a]], validColumns: [2], similarity: .mse,
                                                       evolution: .mse, pairs: [(0, 1)])) { error in
            XCTAssertEqual("\(error)".contains("pair (0, 1) does not name two layers of 1"), true, "\(error)")
        }
    }
}
