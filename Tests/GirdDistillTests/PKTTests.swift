import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class PKTTests: XCTestCase {
    func testMatchesRepDistillerPKT() throws {
        for fixture in try ReferenceFixture.cases(of: "pkt") {
            let student = try fixture.input("student_embedding"), teacher = try fixture.input("teacher_embedding")
            let method = try ProbabilisticKnowledgeTransfer()
            _ = try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("resnet8", classes: 2))
            let step = try BaselineHarness.featureStep(student: ["embedding": student], teacher: ["embedding": teacher], batch: student.shape[0])
            try fixture.check(loss: try method.loss(step), leaves: ["student_embedding": student])
        }
    }

    /// A dead student embedding (all zeros) has similarity 1/2 with every
    /// image; its gradient is finite (RepDistiller's is NaN there, from the
    /// root of a zero norm): only the x / (‖x‖ + ε) path, of slope 1/ε,
    /// carries it, so it is large, but a number.
    func testZeroStudentEmbeddingHasAFiniteGradient() throws {
        let student = try Tensor(shape: [3, 2], values: [0, 0, 1, 2, -1, 1]).requiringGrad()
        let teacher = try Tensor(shape: [3, 2], values: [1, 0, 1, 1, -1, 2])
        let loss = try ProbabilisticKnowledgeTransfer.loss(student: student, teacher: teacher)
        XCTAssertTrue(loss.isFinite)
        try loss.backward()
        let gradient = try XCTUnwrap(student.grad)
        XCTAssertTrue(gradient.isFinite)
        XCTAssertGreaterThan(abs(gradient.toArray()[0]), 1)
    }

    /// The same directions on both sides (any lengths): the distributions agree, the loss is 0.
    func testSameDirectionsCostNothing() throws {
        let teacher = try Tensor(shape: [3, 2], values: [1, 0, 1, 1, -1, 2])
        XCTAssertEqual(try ProbabilisticKnowledgeTransfer.loss(student: teacher * 5, teacher: teacher).item(), 0, accuracy: 1e-7)
    }

    func testDefaultsAndTaps() throws {
        let method = try ProbabilisticKnowledgeTransfer()
        XCTAssertEqual(method.name, "pkt")
        XCTAssertEqual(ProbabilisticKnowledgeTransfer.publishedWeight, 30000)
        XCTAssertEqual(try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("resnet8", classes: 2)),
                       TapRequest(student: ["embedding"], teacher: ["embedding"]))
        XCTAssertThrowsError(try ProbabilisticKnowledgeTransfer(studentTap: "embedding")) { error in
            XCTAssertEqual("\(error)", "pkt: give both a student and a teacher tap, or neither")
        }
        XCTAssertThrowsError(try ProbabilisticKnowledgeTransfer.loss(student: Tensor.zeros([2, 3]), teacher: Tensor.zeros([3, 3]))) { error in
            XCTAssertEqual("\(error)", "pkt: the student's batch [2, 3] and the teacher's [3, 3] differ")
        }
    }

    func testRunsInADistiller() throws {
        try BaselineHarness.assertOneDistillationStep(try ProbabilisticKnowledgeTransfer())
    }
}
