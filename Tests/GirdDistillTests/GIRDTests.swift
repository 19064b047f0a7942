import Foundation
import XCTest
import GirdNN
import GirdTensor
import GirdData
import GirdTrain
@testable import GirdDistill

final class GIRDTests: XCTestCase {
    private static let tinyNetwork = try! ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 9))

    /// A GIRD over taps `s0..`, `t0..` of the given per-image shapes, built
    /// (bank sized) without networks: `configure` only reads the taps.
    private func makeGIRD(_ configuration: GIRD.Configuration, studentShapes: [[Int]], teacherShapes: [[Int]]) throws -> GIRD {
        var configuration = configuration
        configuration.studentTaps = studentShapes.indices.map { "s\($0)" }
        configuration.teacherTaps = teacherShapes.indices.map { "t\($0)" }
        let method = try GIRD(configuration: configuration)
        _ = try method.configure(student: Self.tinyNetwork, teacher: Self.tinyNetwork)
        func shapes(_ list: [[Int]], _ prefix: String) -> [String: [Int]] {
            Dictionary(uniqueKeysWithValues: list.enumerated().map { ("\(prefix)\($0)", [DistillationSetup.probeBatch] + $1) })
        }
        try method.build(DistillationSetup(studentShapes: shapes(studentShapes, "s"), teacherShapes: shapes(teacherShapes, "t"),
                                           classes: 2, trainingSetSize: 100, generator: RandomGenerator(seed: 0)))
        return method
    }

    private func step(student: [Tensor], teacher: [Tensor]) throws -> DistillationStep {
        let batch = student[0].shape[0]
        func output(_ features: [Tensor], _ prefix: String) -> NetworkOutput {
            NetworkOutput(logits: Tensor.zeros([batch, 2]),
                          features: Dictionary(uniqueKeysWithValues: features.enumerated().map { ("\(prefix)\($0)", $1) }))
        }
        return DistillationStep(student: output(student, "s"), teacher: output(teacher, "t"),
                                labels: try Tensor(shape: [batch], indices: Array(repeating: 0, count: batch)),
                                indices: Array(0..<batch))
    }

    // MARK: The reference

    private func setting(of fixture: ReferenceFixture) throws -> (GIRD.Configuration, student: [[Int]], teacher: [[Int]]) {
        let shapes = { (key: String) in (fixture.config[key] as? [[NSNumber]] ?? []).map { $0.map(\.intValue) } }
        let configuration = try configured([
            "pool": .string(try fixture.string("pool")), "bank": .number(Double(try fixture.int("K"))),
            "tau": .number(Double(try fixture.float("tau"))), "sim_loss": .string(try fixture.string("sim_loss")),
            "evo_pairs": .string(try fixture.string("evo_pairs")), "evo_loss": .string(try fixture.string("evo_loss")),
            "beta": .number(Double(try fixture.float("beta"))), "gamma": .number(Double(try fixture.float("gamma")))])
        return (configuration, shapes("student_shapes"), shapes("teacher_shapes"))
    }

    /// Three steps on one bank of K = 5 with B = 3: the ring wraps in the
    /// second step. The method's own enqueues must leave the bank each next
    /// step's reference saw, and every step's loss and gradients match.
    func testConsecutiveStepsFillAndWrapTheBankAsTheReference() throws {
        let steps = try ReferenceFixture.cases(of: "gird").filter { $0.name.hasPrefix("wrap_step") }
        XCTAssertEqual(steps.map(\.name), ["wrap_step0", "wrap_step1", "wrap_step2"])
        let (configuration, studentShapes, teacherShapes) = try setting(of: steps[0])
        let method = try makeGIRD(configuration, studentShapes: studentShapes, teacherShapes: teacherShapes)
        let bank = try XCTUnwrap(method.bank)
        for fixture in steps {
            XCTAssertEqual(bank.count, try fixture.int("n"), fixture.label)
            XCTAssertEqual(bank.position, try fixture.int("position"), fixture.label)
            for layer in studentShapes.indices {
                ReferenceFixture.assertClose(bank.queue(layer: layer, student: true), try fixture.input("bank_student\(layer)"),
                                             tolerance: 1e-6, "\(fixture.label): student queue \(layer)")
                ReferenceFixture.assertClose(bank.queue(layer: layer, student: false), try fixture.input("bank_teacher\(layer)"),
                                             tolerance: 1e-6, "\(fixture.label): teacher queue \(layer)")
            }
            let student = try studentShapes.indices.map { try fixture.input("student\($0)") }
            let teacher = try teacherShapes.indices.map { try fixture.input("teacher\($0)") }
            let loss = try method.loss(try step(student: student, teacher: teacher))
            try fixture.check(loss: loss, leaves: Dictionary(uniqueKeysWithValues: student.enumerated().map { ("student\($0)", $1) }))
            try method.afterStep()
        }
        XCTAssertEqual(bank.count, 5)
        XCTAssertEqual(bank.position, 4)
    }

    func testMatchesTheSpecifiedFormulationInPyTorch() throws {
        for fixture in try ReferenceFixture.cases(of: "gird") {
            let (configuration, studentShapes, teacherShapes) = try setting(of: fixture)
            let method = try makeGIRD(configuration, studentShapes: studentShapes, teacherShapes: teacherShapes)
            if let bank = method.bank {
                var saved: [String: Tensor] = ["ring": try Tensor(shape: [2], indices: [Int64(try fixture.int("position")),
                                                                                        Int64(try fixture.int("n"))])]
                for layer in studentShapes.indices {
                    saved["student\(layer)"] = try fixture.input("bank_student\(layer)")
                    saved["teacher\(layer)"] = try fixture.input("bank_teacher\(layer)")
                }
                try bank.restore(checkpointTensors: saved)
                XCTAssertEqual(bank.count, try fixture.int("n"), fixture.label)
            } else {
                XCTAssertEqual(try fixture.int("K"), 0, fixture.label)
            }
            let student = try studentShapes.indices.map { try fixture.input("student\($0)") }
            let teacher = try teacherShapes.indices.map { try fixture.input("teacher\($0)") }
            let loss = try method.loss(try step(student: student, teacher: teacher))
            XCTAssertTrue(try loss.item().isFinite, fixture.label)
            try fixture.check(loss: loss, leaves: Dictionary(uniqueKeysWithValues: student.enumerated().map { ("student\($0)", $1) }))
            let similarity = try XCTUnwrap(fixture.outputs["similarity"]).toArray()
            let evolution = fixture.outputs["evolution"]?.toArray() ?? []
            XCTAssertEqual(method.lastSimilarityLosses.count, similarity.count, fixture.label)
            for (got, expected) in zip(method.lastSimilarityLosses, similarity) {
                XCTAssertEqual(got, expected, accuracy: 1e-5 * max(abs(expected), 1e-3), "\(fixture.label): L_sim")
            }
            XCTAssertEqual(method.lastEvolutionLosses.count, evolution.count, fixture.label)
            for (got, expected) in zip(method.lastEvolutionLosses.map(\.value), evolution) {
                XCTAssertEqual(got, expected, accuracy: 1e-5 * max(abs(expected), 1e-3), "\(fixture.label): L_evo")
            }

            // The functional form, on the filled rows only, gives the same terms.
            let stored = try fixture.int("n")
            func bankRows(_ side: String) throws -> [Tensor] {
                try studentShapes.indices.map { layer in
                    let queue = try fixture.input("bank_\(side)\(layer)")
                    return stored > 0 ? try queue.narrowed(axis: 0, start: 0, length: stored) : try queue.narrowed(axis: 0, start: 0, length: 0)
                }
            }
            let functional = try GIRD.losses(student: try studentShapes.indices.map { try fixture.input("student\($0)") },
                                             teacher: teacher, bankStudent: try bankRows("student"),
                                             bankTeacher: try bankRows("teacher"), configuration: configuration)
            let functionalTerms = try (functional.sim + (try fixture.float("gamma") > 0 ? functional.evo : [])).map { try $0.item() }
            let methodTerms = method.lastSimilarityLosses + method.lastEvolutionLosses.map(\.value)
            XCTAssertEqual(functionalTerms.count, methodTerms.count, fixture.label)
            for (got, expected) in zip(functionalTerms, methodTerms) {
                XCTAssertEqual(got, expected, accuracy: 1e-5 * max(abs(expected), 1e-3), "\(fixture.label): functional form")
            }
        }
    }

    // MARK: Values by hand

    /// B = 2, no bank, one layer: each row has one j ≠ i. Student embeddings
    /// (1, 0), (0, 1) are orthogonal (similarity 0), the teacher's equal
    /// (similarity 1): the MSE is (0 − 1)² = 1; the KL over a single column
    /// is 0 whatever the similarities.
    func testTwoImagesByHand() throws {
        let student = try Tensor(shape: [2, 2], values: [3, 0, 0, 2]), teacher = try Tensor(shape: [2, 2], values: [1, 0, 5, 0])
        for (loss, expected) in [(GIRD.SimilarityLoss.mse, Float(1)), (.kl, 0)] {
            let method = try makeGIRD(GIRD.Configuration(bankSize: 0, similarityLoss: loss, evolutionWeight: 0),
                                      studentShapes: [[2]], teacherShapes: [[2]])
            XCTAssertEqual(try method.loss(try step(student: [student], teacher: [teacher])).item(), expected, accuracy: 1e-6)
        }
    }

    /// B = 2, one stored image, d = 2, τ = 1. Student batch (1, 0), (0, 1),
    /// bank (1, 0); teacher batch (1, 0), (0, 1), bank (0, 1). Without the
    /// diagonal, R_S = [[0, 1], [0, 0]] (row 0: image 1, the stored one) and
    /// R_T = [[0, 0], [0, 1]].
    /// MSE: (0 + 1 + 0 + 1) / 4 = 0.5.
    /// KL, row 0: p_T = (½, ½), p_S = (1, e)/(1+e): log((1+e)/2) − ½;
    /// row 1: p_S = (½, ½), p_T = (1, e)/(1+e): log(2/(1+e)) + e/(1+e).
    /// The loss is their mean.
    func testOneStoredImageByHand() throws {
        let e = exp(1.0)
        let kl = ((log((1 + e) / 2) - 0.5) + (log(2 / (1 + e)) + e / (1 + e))) / 2
        for (loss, expected) in [(GIRD.SimilarityLoss.mse, 0.5), (.kl, kl)] {
            let method = try makeGIRD(GIRD.Configuration(bankSize: 3, temperature: 1, similarityLoss: loss, evolutionWeight: 0),
                                      studentShapes: [[2]], teacherShapes: [[2]])
            try XCTUnwrap(method.bank).restore(checkpointTensors: [
                "ring": try Tensor(shape: [2], indices: [1, 1]),
                "student0": try Tensor(shape: [3, 2], values: [1, 0, 0, 0, 0, 0]),
                "teacher0": try Tensor(shape: [3, 2], values: [0, 1, 0, 0, 0, 0]),
            ])
            let batch = try Tensor(shape: [2, 2], values: [1, 0, 0, 1])
            let value = try method.loss(try step(student: [batch], teacher: [batch])).item()
            XCTAssertEqual(Double(value), expected, accuracy: 1e-6, "\(loss)")
        }
    }

    /// Relation evolution by hand: two layers, B = 2, no bank. Student
    /// similarity 0 at layer 0 and 1 at layer 1 (D_S = 1); teacher 1 and 1
    /// (D_T = 0). MSE: (1 − 0)² = 1 per off-diagonal entry; with β = 0 that
    /// is the loss. γ = 3 scales it.
    func testEvolutionByHand() throws {
        let method = try makeGIRD(GIRD.Configuration(bankSize: 0, similarityWeight: 0, evolutionWeight: 3),
                                  studentShapes: [[2], [2]], teacherShapes: [[2], [2]])
        let same = try Tensor(shape: [2, 2], values: [1, 0, 2, 0])
        let loss = try method.loss(try step(student: [try Tensor(shape: [2, 2], values: [1, 0, 0, 1]), same],
                                            teacher: [same, same]))
        XCTAssertEqual(try loss.item(), 3, accuracy: 1e-6)
        XCTAssertEqual(method.lastEvolutionLosses.map(\.value), [1])
        XCTAssertEqual(method.lastEvolutionLosses.map(\.pair.0), [0])
        XCTAssertEqual(method.lastEvolutionLosses.map(\.pair.1), [1])
    }

    func testEvolutionPairs() {
        XCTAssertEqual(GIRD.EvolutionPairs.consecutive.pairs(layers: 4).map { [$0.0, $0.1] }, [[0, 1], [1, 2], [2, 3]])
        XCTAssertEqual(GIRD.EvolutionPairs.all.pairs(layers: 3).map { [$0.0, $0.1] }, [[0, 1], [0, 2], [1, 2]])
        XCTAssertTrue(GIRD.EvolutionPairs.all.pairs(layers: 1).isEmpty)
    }

    // MARK: The bank

    /// Embeddings [B, 2] whose normalised rows are (cos a, sin a) for the given angles.
    private func angles(_ values: [Float]) throws -> Tensor {
        try Tensor(shape: [values.count, 2], values: values.flatMap { [2 * cos($0), 2 * sin($0)] })
    }

    func testBankIsAFIFOThatNeverHoldsTheCurrentBatch() throws {
        let method = try makeGIRD(GIRD.Configuration(bankSize: 5, evolutionWeight: 0), studentShapes: [[2]], teacherShapes: [[2]])
        let bank = try XCTUnwrap(method.bank)
        var expected: [Float] = []
        for batch in 0..<3 {
            let a = Float(batch) * 0.5, b = a + 0.25
            let before = bank.count
            _ = try method.loss(try step(student: [try angles([a, b])], teacher: [try angles([-a, -b])]))
            XCTAssertEqual(bank.count, before, "the loss does not enqueue")
            try method.afterStep()
            try method.afterStep()  // a second call without a new loss enqueues nothing
            expected += [a, b]
        }
        XCTAssertEqual(bank.count, 5)
        XCTAssertEqual(bank.position, 1)
        // Six rows went into five slots: the last overwrote slot 0.
        let order = [expected[5], expected[1], expected[2], expected[3], expected[4]]
        let rows = try bank.rows(layer: 0, student: true).toArray()
        let teacherRows = try bank.rows(layer: 0, student: false).toArray()
        for (slot, angle) in order.enumerated() {
            XCTAssertEqual(rows[2 * slot], cos(angle), accuracy: 1e-6)
            XCTAssertEqual(rows[2 * slot + 1], sin(angle), accuracy: 1e-6)
            XCTAssertEqual(teacherRows[2 * slot + 1], sin(-angle), accuracy: 1e-6, "the same image in every queue's row")
        }
    }

    /// K < B: the bank keeps the batch's last K rows, where writing them one
    /// by one from the ring position would leave them.
    func testBankSmallerThanTheBatchKeepsItsLastRows() throws {
        let bank = try GIRDMemoryBank(capacity: 3, studentWidths: [1], teacherWidths: [1])
        let batch = try Tensor(shape: [5, 1], values: [10, 11, 12, 13, 14])
        try bank.enqueue(student: [batch], teacher: [batch])
        XCTAssertEqual(bank.count, 3)
        XCTAssertEqual(bank.position, 2)
        XCTAssertEqual(try bank.rows(layer: 0, student: true).toArray(), [13, 14, 12])
        try bank.enqueue(student: [try Tensor(shape: [1, 1], values: [20])], teacher: [try Tensor(shape: [1, 1], values: [20])])
        XCTAssertEqual(try bank.rows(layer: 0, student: false).toArray(), [13, 14, 20])
        XCTAssertEqual(bank.queue(layer: 0, student: true).shape, [3, 1])
    }

    func testBankRoundTripsThroughCheckpointTensors() throws {
        let bank = try GIRDMemoryBank(capacity: 4, studentWidths: [2, 3], teacherWidths: [1, 2])
        let generator = RandomGenerator(seed: 3)
        for _ in 0..<2 {
            try bank.enqueue(student: [try Tensor.randn([3, 2], generator: generator), try Tensor.randn([3, 3], generator: generator)],
                             teacher: [try Tensor.randn([3, 1], generator: generator), try Tensor.randn([3, 2], generator: generator)])
        }
        let saved = Dictionary(uniqueKeysWithValues: bank.checkpointTensors.map { ($0.name, $0.tensor) })
        XCTAssertEqual(Set(saved.keys), ["student0", "student1", "teacher0", "teacher1", "ring"])
        let restored = try GIRDMemoryBank(capacity: 4, studentWidths: [2, 3], teacherWidths: [1, 2])
        try restored.restore(checkpointTensors: saved)
        XCTAssertEqual(restored.count, 4)
        XCTAssertEqual(restored.position, 2)
        for layer in 0..<2 {
            for side in [true, false] {
                XCTAssertEqual(try restored.rows(layer: layer, student: side).toArray(), try bank.rows(layer: layer, student: side).toArray())
            }
        }
        let other = try GIRDMemoryBank(capacity: 8, studentWidths: [2, 3], teacherWidths: [1, 2])
        XCTAssertThrowsError(try other.restore(checkpointTensors: saved)) { error in
            XCTAssertEqual("\(error)",
                           "gird: the checkpoint's bank has no [8, 2] tensor 'student0' (was it saved with another K or other layers?)")
        }
        try restored.restore(checkpointTensors: [:])
        XCTAssertEqual(restored.count, 0)
    }

    // MARK: Edge cases

    func testZeroFeatureMapGivesZeroSimilaritiesAndFiniteGradients() throws {
        let method = try GIRD()
        let zero = Tensor.zeros([2, 3, 2, 2])
        let embedding = try method.embed(zero)
        XCTAssertEqual(embedding.toArray(), [Float](repeating: 0, count: 6))
        let mixed = try makeGIRD(GIRD.Configuration(bankSize: 0, evolutionWeight: 0), studentShapes: [[3, 2, 2]], teacherShapes: [[3, 2, 2]])
        let student = try Tensor.concatenated([Tensor.zeros([1, 3, 2, 2]), Tensor.ones([2, 3, 2, 2])]).requiringGrad()
        let teacher = try Tensor.randn([3, 3, 2, 2], generator: RandomGenerator(seed: 1))
        let loss = try mixed.loss(try step(student: [student], teacher: [teacher]))
        XCTAssertTrue(try loss.item().isFinite)
        try loss.backward()
        XCTAssertTrue(try XCTUnwrap(student.grad).toArray().allSatisfy(\.isFinite))
    }

    func testOneImageAndAnEmptyBankGiveZero() throws {
        let method = try makeGIRD(GIRD.Configuration(bankSize: 4), studentShapes: [[2, 2, 2], [3, 1, 1]],
                                  teacherShapes: [[2, 2, 2], [3, 1, 1]])
        let generator = RandomGenerator(seed: 2)
        let student = [try Tensor.randn([1, 2, 2, 2], generator: generator).requiringGrad(),
                       try Tensor.randn([1, 3, 1, 1], generator: generator).requiringGrad()]
        let teacher = [try Tensor.randn([1, 2, 2, 2], generator: generator), try Tensor.randn([1, 3, 1, 1], generator: generator)]
        let loss = try method.loss(try step(student: student, teacher: teacher))
        XCTAssertEqual(try loss.item(), 0)
        XCTAssertEqual(method.lastSimilarityLosses, [0, 0])
        XCTAssertEqual(method.lastEvolutionLosses.map(\.value), [0])
        try loss.backward()
        XCTAssertEqual(try XCTUnwrap(student[0].grad).toArray(), [Float](repeating: 0, count: 8))
        // The next image of one meets this one in the bank: now there is a pair.
        try method.afterStep()
        let next = try method.loss(try step(student: student.map { try $0 * 2 }, teacher: teacher.map { try $0 * -1 }))
        XCTAssertGreaterThan(try next.item(), 0)
    }

    // MARK: Configuration errors, before the first step

    func testBadConfigurationsAreRefusedWithClearMessages() throws {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try GIRD(configuration: .init(temperature: 0)) },
                       "gird: temperature tau must be a positive number, got 0.0")
        XCTAssertEqual(message { try GIRD(configuration: .init(bankSize: -1)) }, "gird: the bank size K must be zero or more, got -1")
        XCTAssertEqual(message { try GIRD(configuration: .init(evolutionWeight: -1)) }, "gird: gamma must be zero or more, got -1.0")
        XCTAssertEqual(message { try GIRD(configuration: .init(pool: .adaptiveAverage(0))) }, "gird: pool avg(k) needs k >= 1, got 0")
        XCTAssertEqual(message { try GIRD(configuration: .init(studentTaps: ["stage1", "stage2"], teacherTaps: ["stage3"])) },
                       "gird: 2 student taps and 1 teacher taps; they pair up one to one")
        XCTAssertEqual(message { try GIRD(configuration: .init(studentTaps: ["stage3"], teacherTaps: ["stage3"])) },
                       "gird: relation evolution (gamma > 0) needs at least 2 tapped layers, got 1; set gamma to 0 or tap more layers")
        XCTAssertNoThrow(try GIRD(configuration: .init(studentTaps: ["stage3"], teacherTaps: ["stage3"], evolutionWeight: 0)))
        XCTAssertEqual(message { try GIRD.Pooling("max") }, "gird: unknown pool 'max'; expected \"gap\", \"avg(k)\" or \"flatten\"")
        XCTAssertEqual(message { try configured(["sim_loss": .string("l2")]) },
                       "gird: unknown sim_loss 'l2'; expected \"kl\" or \"mse\"")
        XCTAssertEqual(message { try configured(["evo_loss": .string("l1")]) },
                       "gird: unknown evo_loss 'l1'; expected \"mse\" or \"huber\"")
        XCTAssertEqual(message { try configured(["evo_pairs": .string("next")]) },
                       "gird: unknown evo_pairs 'next'; expected \"consecutive\" or \"all\"")
        XCTAssertEqual(try configured(["evo_pairs": .string("all")]).evolutionPairs, .all)
        XCTAssertEqual(try configured(["sim_loss": .string("mse")]).similarityLoss, .mse)
        XCTAssertEqual(try configured(["evo_loss": .string("huber")]).evolutionLoss, .huber)
        XCTAssertEqual(message { try GIRD(configuration: .init(bankSize: 10_000_000_000_000)) },
                       "gird: the bank size K must be at most 2147483647 (matrix sizes are 32-bit ints in OpenBLAS), got 10000000000000")
        XCTAssertEqual(try GIRD.Pooling("avg(4)"), .adaptiveAverage(4))
        XCTAssertEqual(try GIRD.Pooling("gap").description, "gap")

        // Default taps of networks with different stage counts: refused when the distiller is prepared.
        let teacher = try ModelZoo.make("ResNet18", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 1))
        let distiller = try Distiller(teacher: teacher, terms: [DistillationTerm(try GIRD())])
        XCTAssertEqual(message { try distiller.prepare(student: Self.tinyNetwork, imageShape: [1, 32, 32], trainingSetSize: 8) },
                       "gird: the student has 4 tapped layers (stem, stage1, stage2, stage3) and the teacher 5 (stem, stage1, stage2, stage3, stage4); name the pairs with studentTaps and teacherTaps")
    }

    // MARK: Inside the distiller, on real networks

    func testRunsInsideTheDistillerWithItsBank() throws {
        let teacher = try ModelZoo.make("resnet20", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
        let student = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 2))
        let distiller = try Distiller(teacher: teacher, terms: try cekdGIRD(GIRD.Configuration(bankSize: 12)))
        try distiller.prepare(student: student, imageShape: [1, 32, 32], trainingSetSize: 100)
        let gird = try XCTUnwrap(distiller.terms[2].method as? GIRD)
        XCTAssertEqual(gird.studentTaps, ["stem", "stage1", "stage2", "stage3"])
        XCTAssertEqual(gird.bank?.studentWidths, [16, 16, 32, 64])
        XCTAssertEqual(distiller.trainingState.keys.sorted(), ["term2.gird"])
        let generator = RandomGenerator(seed: 3)
        student.train()
        for index in 0..<2 {
            let images = try Tensor.randn([8, 1, 32, 32], generator: generator)
            let labels = try Tensor(shape: [8], indices: (0..<8).map { Int64($0) })
            student.clearGradients()
            let loss = try distiller.loss(model: student, batch: TrainingBatch(images: images, labels: labels, indices: Array(0..<8)))
            XCTAssertTrue(try loss.item().isFinite)
            XCTAssertEqual(distiller.lastValues.map(\.name), ["ce", "kd", "gird"])
            // GIRD is logged as its two parts, which add up to its weighted value.
            XCTAssertEqual(distiller.lossTermNames, ["ce", "kd", "gird_sim", "gird_evo"])
            let weight = Double(distiller.terms[2].weight), girdValue = Double(distiller.lastValues[2].value)
            XCTAssertEqual(distiller.lastLossTerms[2] + distiller.lastLossTerms[3], weight * girdValue, accuracy: 1e-5 * abs(girdValue))
            XCTAssertEqual(distiller.lastLossTerms.reduce(0, +), Double(try loss.item()), accuracy: 1e-5)
            try loss.backward()
            let firstConv = try XCTUnwrap(student.namedParameters().first { $0.name.hasSuffix("weight") })
            XCTAssertNotNil(firstConv.tensor.grad, "step \(index): \(firstConv.name)")
            try distiller.afterStep()
            XCTAssertEqual(gird.bank?.count, min(8 * (index + 1), 12))
        }
        XCTAssertEqual(gird.lastSimilarityLosses.count, 4)
        XCTAssertEqual(gird.lastEvolutionLosses.count, 3)
        let (beta, gamma) = (Double(gird.configuration.similarityWeight), Double(gird.configuration.evolutionWeight))
        XCTAssertEqual(gird.lastParts[0], beta * gird.lastSimilarityLosses.map(Double.init).reduce(0, +), accuracy: 1e-9)
        XCTAssertEqual(gird.lastParts[1], gamma * gird.lastEvolutionLosses.map { Double($0.value) }.reduce(0, +), accuracy: 1e-9)
        XCTAssertGreaterThan(gird.lastParts[1], 0)
    }

    /// TensorBoard's relation images: e·eᵀ of each GIRD layer, for both
    /// networks in eval mode, the student's mode restored after.
    func testRelationImagesAreEachLayersCosineSimilarities() throws {
        let teacher = try ModelZoo.make("resnet20", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
        let student = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 2))
        let distiller = try Distiller(teacher: teacher, terms: try cekdGIRD(GIRD.Configuration(bankSize: 12)))
        try distiller.prepare(student: student, imageShape: [1, 32, 32], trainingSetSize: 100)
        let images = try Tensor.randn([6, 1, 32, 32], generator: RandomGenerator(seed: 3))
        student.train()
        let matrices = try distiller.epochImages(model: student, images: images)
        XCTAssertTrue(student.isTraining)
        XCTAssertEqual(matrices.map(\.tag), ["stem", "stage1", "stage2", "stage3"].map { "relations/student/\($0)" }
                       + ["stem", "stage1", "stage2", "stage3"].map { "relations/teacher/\($0)" })
        teacher.eval()
        student.eval()
        let features = try GradMode.withoutGradient { try teacher.forward(images, taps: ["stage2"]).features["stage2"]! }
        let e = try GIRD.embedding(features, pool: .globalAverage).toArray()
        let matrix = try XCTUnwrap(matrices.first { $0.tag == "relations/teacher/stage2" })
        XCTAssertEqual([matrix.rows, matrix.columns, Int(matrix.low), Int(matrix.high)], [6, 6, -1, 1])
        let d = e.count / 6
        for i in 0..<6 {
            for j in 0..<6 {
                let expected = (0..<d).reduce(Float(0)) { $0 + e[i * d + $1] * e[j * d + $1] }
                XCTAssertEqual(matrix.values[i * 6 + j], expected, accuracy: 1e-5, "(\(i), \(j))")
            }
        }
    }

    // MARK: Checkpoints through the trainer

    /// A run interrupted inside its second epoch and resumed with a fresh
    /// distiller ends, at one thread, with exactly the bank and the weights
    /// of the uninterrupted run (20 images, batches 8, 8, 4; K = 12 wraps).
    func testBankResumesExactlyThroughTheTrainer() throws {
        try ComputeThreads.set(1)
        defer { try? ComputeThreads.set(ComputeThreads.defaultCount) }
        let train = try halvesDataset(count: 20, seed: 1), test = try halvesDataset(count: 8, seed: 2)
        func configuration(_ name: String) -> TrainingConfiguration {
            var configuration = TrainingConfiguration(epochs: 2, outputDirectory: temporaryDirectory(name))
            configuration.batchSize = 8
            configuration.progress = .silent
            configuration.seed = 3
            return configuration
        }
        func distiller() throws -> Distiller {
            let teacher = try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 4))
            return try Distiller(teacher: teacher, terms: try cekdGIRD(GIRD.Configuration(bankSize: 12)))
        }
        func student() throws -> Network { try ModelZoo.make("resnet8", classes: 2, inChannels: 1, generator: RandomGenerator(seed: 5)) }
        func bank(_ distiller: Distiller) throws -> GIRDMemoryBank { try XCTUnwrap((distiller.terms[2].method as? GIRD)?.bank) }

        let whole = configuration("gird-whole")
        defer { try? FileManager.default.removeItem(atPath: whole.outputDirectory) }
        let reference = try distiller(), referenceModel = try student()
        let referenceRun = try Trainer(configuration: whole, objective: reference).train(model: referenceModel, trainSet: train, testSet: test)

        let split = configuration("gird-split")
        defer { try? FileManager.default.removeItem(atPath: split.outputDirectory) }
        let stopping = Trainer(configuration: split, objective: try distiller())
        var asked = 0
        stopping.shouldStop = { asked += 1; return asked == 6 }  // before epoch 1, batch 1
        XCTAssertThrowsError(try stopping.train(model: try student(), trainSet: train, testSet: test))
        let saved = try SafeTensors.load(contentsOf: stopping.checkpointPath)
        XCTAssertEqual(saved["state.term2.gird.ring"]?.toIndices(), [4, 12], "20 + 8 rows written into 12: position 28 mod 12")

        let resumedObjective = try distiller(), model = try student()
        let run = try Trainer(configuration: split, objective: resumedObjective)
            .resume(from: stopping.checkpointPath, model: model, trainSet: train, testSet: test)
        let (resumedBank, referenceBank) = (try bank(resumedObjective), try bank(reference))
        XCTAssertEqual(resumedBank.count, 12)
        XCTAssertEqual(resumedBank.position, referenceBank.position)
        for (a, b) in zip(resumedBank.checkpointTensors, referenceBank.checkpointTensors) {
            XCTAssertEqual(a.tensor.toArray(), b.tensor.toArray(), a.name)
        }
        for ((name, a), (_, b)) in zip(model.stateDictionary(), referenceModel.stateDictionary()) {
            XCTAssertEqual(a.toArray(), b.toArray(), name)
        }
        XCTAssertEqual(run.history.map(\.trainLoss), referenceRun.history.map(\.trainLoss))
    }
}

/// The spec's total, CE + KD (T = 4) + GIRD, each at weight 1.
private func cekdGIRD(_ configuration: GIRD.Configuration) throws -> [DistillationTerm] {
    [DistillationTerm(try CrossEntropyTerm()), DistillationTerm(try KnowledgeDistillation(temperature: 4)),
     DistillationTerm(try GIRD(configuration: configuration))]
}

/// GIRD's configuration as the catalog reads it from arguments (the recipe's `gird(...)`).
private func configured(_ given: [String: MethodArgument]) throws -> GIRD.Configuration {
    try GIRD.Configuration(GIRD.catalogEntry.resolve(given))
}
