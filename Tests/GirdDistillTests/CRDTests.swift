import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class CRDTests: XCTestCase {
    /// The loss with the reference's negatives, memory contents and heads:
    /// the loss, the gradient of the student's embedding and of both heads,
    /// Z (set on the first batch or given), and both banks after the update.
    func testMatchesRepDistillerCRDLoss() throws {
        for fixture in try ReferenceFixture.cases(of: "crd") {
            let student = try fixture.input("student_embedding"), teacher = try fixture.input("teacher_embedding")
            let method = try ContrastiveRepresentation(featureDimension: try fixture.int("feat_dim"), negatives: try fixture.int("nce_k"),
                                                       temperature: try fixture.float("nce_t"), momentum: try fixture.float("nce_m"))
            _ = try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("resnet8", classes: 2))
            try method.build(DistillationSetup(studentShapes: ["embedding": [2, student.shape[1]]],
                                               teacherShapes: ["embedding": [2, teacher.shape[1]]], classes: 2,
                                               trainingSetSize: try fixture.int("n_data"), generator: RandomGenerator(seed: 0)))
            let studentHead = try XCTUnwrap(method.studentHead), teacherHead = try XCTUnwrap(method.teacherHead)
            let memory = try XCTUnwrap(method.memory)
            try fixture.loadWeights(into: studentHead, prefix: "embed_s.")
            try fixture.loadWeights(into: teacherHead, prefix: "embed_t.")
            try memory.studentBank.copyValues(from: try fixture.input("memory_student"))
            try memory.teacherBank.copyValues(from: try fixture.input("memory_teacher"))
            let (zStudent, zTeacher) = (try fixture.float("z_student"), try fixture.float("z_teacher"))
            if zStudent > 0 { memory.normalization = .init(student: zStudent, teacher: zTeacher) }

            let indices = try fixture.input("indices").toIndices().map { Int($0) }
            let loss = try method.loss(student: student, teacher: teacher, indices: indices,
                                       contrastIndices: try fixture.input("contrast_indices"))
            try fixture.check(loss: loss, leaves: ["student_embedding": student])
            for (prefix, head) in [("embed_s.", studentHead), ("embed_t.", teacherHead)] {
                for (name, parameter) in head.namedParameters(prefix: prefix) {
                    let expected = try XCTUnwrap(fixture.outputs["grad." + name], "\(fixture.label): grad.\(name)")
                    ReferenceFixture.assertClose(try XCTUnwrap(parameter.grad), expected, tolerance: 1e-5, "\(fixture.label): grad \(name)")
                }
            }
            let z = try XCTUnwrap(fixture.outputs["z"]).toArray()
            XCTAssertEqual(memory.normalization?.student ?? 0, z[0], accuracy: 1e-5 * z[0], fixture.label)
            XCTAssertEqual(memory.normalization?.teacher ?? 0, z[1], accuracy: 1e-5 * z[1], fixture.label)
            try method.afterStep()
            ReferenceFixture.assertClose(memory.studentBank, try XCTUnwrap(fixture.outputs["memory_student"]), tolerance: 1e-5,
                                         "\(fixture.label): student bank after the update")
            ReferenceFixture.assertClose(memory.teacherBank, try XCTUnwrap(fixture.outputs["memory_teacher"]), tolerance: 1e-5,
                                         "\(fixture.label): teacher bank after the update")
        }
    }

    /// By hand: K = 1 negative over N = 2 images, so K·P_n = 1/2; scores
    /// 1/2 (positive) and 1/2 (negative) give -(log(1/2) + log(1/2)), to ε.
    func testContrastLossByHand() throws {
        let value = try ContrastLoss.loss(try Tensor(shape: [1, 2], values: [0.5, 0.5]), dataSize: 2).item()
        XCTAssertEqual(value, 2 * Float(log(2.0)), accuracy: 1e-5)
    }

    func testNegativesAreSeededUniformAndCheckpointed() throws {
        let memory = try ContrastMemory(size: 10, dimension: 4, negatives: 6, temperature: 0.07, momentum: 0.5,
                                        generator: RandomGenerator(seed: 9))
        let first = try memory.contrastIndices(positives: [3, 7])
        XCTAssertEqual(first.shape, [2, 7])
        let values = first.toIndices()
        XCTAssertEqual([values[0], values[7]], [3, 7], "each row starts with its positive")
        XCTAssertTrue(values.allSatisfy { (0..<10).contains($0) })
        memory.normalization = .init(student: 12, teacher: 13)
        try memory.update(indices: [3], student: try Tensor(shape: [1, 4], values: [1, 0, 0, 0]),
                          teacher: try Tensor(shape: [1, 4], values: [0, 0, 0, 2]))
        let studentRow = Array(memory.studentBank.toArray()[12..<16])
        XCTAssertEqual(studentRow.map { $0 * $0 }.reduce(0, +), 1, accuracy: 1e-6, "an updated row has unit length")

        let saved = Dictionary(uniqueKeysWithValues: memory.checkpointTensors.map { ($0.name, $0.tensor.detach()) })
        let expectedNext = try memory.contrastIndices(positives: [1]).toIndices()
        let resumed = try ContrastMemory(size: 10, dimension: 4, negatives: 6, temperature: 0.07, momentum: 0.5,
                                         generator: RandomGenerator(seed: 1))
        try resumed.restore(checkpointTensors: saved)
        XCTAssertEqual(resumed.studentBank.toArray(), saved["memory_student"]!.toArray())
        XCTAssertEqual(resumed.teacherBank.toArray(), saved["memory_teacher"]!.toArray())
        XCTAssertEqual(resumed.normalization, .init(student: 12, teacher: 13))
        XCTAssertEqual(try resumed.contrastIndices(positives: [1]).toIndices(), expectedNext, "the negatives' stream resumes")
        XCTAssertThrowsError(try resumed.restore(checkpointTensors: ["memory_student": Tensor.zeros([3, 4])])) { error in
            XCTAssertEqual("\(error)", "crd: the checkpoint's memory does not fit a memory of 10 x 4 (names [\"memory_student\"])")
        }
    }

    func testDefaultsAndBadConfiguration() throws {
        let method = try ContrastiveRepresentation()
        XCTAssertEqual(method.name, "crd")
        XCTAssertEqual([method.featureDimension, method.negatives], [128, 16384])
        XCTAssertEqual([method.temperature, method.momentum], [0.07, 0.5])
        XCTAssertEqual(ContrastiveRepresentation.publishedWeight, 0.8)
        XCTAssertThrowsError(try ContrastiveRepresentation(featureDimension: 0)) { error in
            XCTAssertEqual("\(error)", "crd: the feature dimension must be positive, got 0")
        }
        XCTAssertThrowsError(try ContrastiveRepresentation(negatives: -5)) { error in
            XCTAssertEqual("\(error)", "crd: the number of negatives must be positive, got -5")
        }
        XCTAssertThrowsError(try ContrastiveRepresentation(temperature: 0)) { error in
            XCTAssertEqual("\(error)", "crd: temperature T must be a positive number, got 0.0")
        }
        XCTAssertThrowsError(try ContrastiveRepresentation(momentum: 1)) { error in
            XCTAssertEqual("\(error)", "crd: the memory momentum must be in [0, 1), got 1.0")
        }
        XCTAssertThrowsError(try ContrastiveRepresentation(studentTap: "embedding")) { error in
            XCTAssertEqual("\(error)", "crd: give both a student and a teacher tap, or neither")
        }
        let distiller = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 2), terms: [DistillationTerm(method)])
        XCTAssertThrowsError(try distiller.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32], trainingSetSize: 0)) { error in
            XCTAssertEqual("\(error)", "crd: the memory needs the training set's size, got 0")
        }
    }

    func testRunsInADistillerAndUpdatesTheMemory() throws {
        let method = try ContrastiveRepresentation()
        let distiller = try BaselineHarness.assertOneDistillationStep(method)
        XCTAssertEqual(distiller.trainableModules.map(\.name), ["term1.embed_s", "term1.embed_t"])
        XCTAssertEqual(Array(distiller.trainingState.keys), ["term1.crd"])
        let memory = try XCTUnwrap(method.memory)
        XCTAssertNotNil(memory.normalization)
        // Image 5 was in the batch: its rows now have unit length; image 1 was not.
        func rowLength(_ bank: Tensor, _ row: Int) -> Float {
            bank.toArray()[(row * 128)..<((row + 1) * 128)].map { $0 * $0 }.reduce(0, +).squareRoot()
        }
        XCTAssertEqual(rowLength(memory.studentBank, 5), 1, accuracy: 1e-5)
        XCTAssertEqual(rowLength(memory.teacherBank, 5), 1, accuracy: 1e-5)
        XCTAssertNotEqual(rowLength(memory.studentBank, 1), 1, accuracy: 1e-3)
    }
}
