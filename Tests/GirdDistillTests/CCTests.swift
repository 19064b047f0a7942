import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class CCTests: XCTestCase {
    func testMatchesRepDistillerCorrelationWithLinearEmbeds() throws {
        let fixtures = try ReferenceFixture.cases(of: "cc")
        XCTAssertEqual(fixtures.count, 3)
        for fixture in fixtures {
            let student = try fixture.input("student"), teacher = try fixture.input("teacher")
            let method = try CorrelationCongruence(featureDimension: try fixture.int("feat_dim"), studentTap: "s", teacherTap: "t")
            try method.build(DistillationSetup(studentShapes: ["s": student.shape], teacherShapes: ["t": teacher.shape], classes: 2,
                                               trainingSetSize: 1, generator: RandomGenerator(seed: 0)))
            let studentEmbed = try XCTUnwrap(method.studentEmbed), teacherEmbed = try XCTUnwrap(method.teacherEmbed)
            try fixture.loadWeights(into: studentEmbed, prefix: "embed_s.")
            try fixture.loadWeights(into: teacherEmbed, prefix: "embed_t.")
            let batch = student.shape[0]
            let step = try makeStep(studentLogits: Tensor.zeros([batch, 2]), teacherLogits: Tensor.zeros([batch, 2]),
                                    studentFeatures: ["s": student], teacherFeatures: ["t": teacher])
            try fixture.check(loss: try method.loss(step), leaves: ["student": student])
            ReferenceFixture.assertClose(try XCTUnwrap(studentEmbed.linear.weight.grad), try XCTUnwrap(fixture.outputs["grad_embed_s_weight"]),
                                         tolerance: 1e-5, "\(fixture.label): embed_s weight gradient")
            ReferenceFixture.assertClose(try XCTUnwrap(teacherEmbed.linear.weight.grad), try XCTUnwrap(fixture.outputs["grad_embed_t_weight"]),
                                         tolerance: 1e-5, "\(fixture.label): embed_t weight gradient")
        }
    }

    /// |e_s - e_t| = [[1, 2], [3, 4], [0, 1]]: pairs (0, 1) and (1, 2) give
    /// 1*3 + 2*4 = 11 and 3*0 + 4*1 = 4, mean 7.5.
    func testValueByHand() throws {
        let student = try Tensor(shape: [3, 2], values: [1, -2, 3, 4, 0, 1])
        let teacher = Tensor.zeros([3, 2])
        XCTAssertEqual(try CorrelationCongruence.loss(student: student, teacher: teacher).item(), 7.5)
    }

    /// One instance has no neighbour: 0 (PyTorch's mean of nothing is NaN).
    func testBatchOfOneIsZero() throws {
        let student = try Tensor(shape: [1, 2], values: [1, 2]).requiringGrad()
        let value = try CorrelationCongruence.loss(student: student, teacher: Tensor.zeros([1, 2]))
        XCTAssertEqual(try value.item(), 0)
        try value.backward()
        XCTAssertEqual(student.grad?.toArray(), [0, 0])
    }

    func testBadConfigurationsAreRefused() throws {
        XCTAssertThrowsError(try CorrelationCongruence(featureDimension: 0)) {
            XCTAssertEqual("\($0)", "cc: feature dimension must be positive, got 0")
        }
        XCTAssertThrowsError(try CorrelationCongruence.loss(student: Tensor.zeros([2, 3]), teacher: Tensor.zeros([2, 4]))) {
            XCTAssertEqual("\($0)", "cc: needs embeddings of one [batch, dimension] shape, got [2, 3] and [2, 4]")
        }
        XCTAssertEqual(CorrelationCongruence.publishedWeight, 0.02)
    }

    func testRunsInsideDistiller() throws {
        let method = try CorrelationCongruence()
        let distiller = try assertRunsInsideDistiller(method)
        XCTAssertEqual(distiller.trainableModules.map(\.name), ["term1.embed_s", "term1.embed_t"])
        XCTAssertEqual(method.studentEmbed?.linear.weight.shape, [128, 64])
        XCTAssertEqual(method.teacherEmbed?.linear.weight.shape, [128, 64])
    }
}
