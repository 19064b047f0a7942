import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class KnowledgeDistillationTests: XCTestCase {
    func testMatchesRepDistillerDistillKL() throws {
        for fixture in try ReferenceFixture.cases(of: "kd") {
            let student = try fixture.input("student_logits"), teacher = try fixture.input("teacher_logits")
            let method = try KnowledgeDistillation(temperature: try fixture.float("T"))
            let step = DistillationStep(student: NetworkOutput(logits: student), teacher: NetworkOutput(logits: teacher),
                                        labels: try Tensor(shape: [student.shape[0]], indices: Array(repeating: 0, count: student.shape[0])),
                                        indices: Array(0..<student.shape[0]))
            try fixture.check(loss: try method.loss(step), leaves: ["student_logits": student])
        }
    }

    /// By hand: two classes, T = 1, student logits (0, 0) and teacher (log 3, 0):
    /// p_t = (3/4, 1/4), p_s = (1/2, 1/2), KL = 3/4 log(3/2) + 1/4 log(1/2).
    func testTwoClassValueByHand() throws {
        let student = try Tensor(shape: [1, 2], values: [0, 0])
        let teacher = try Tensor(shape: [1, 2], values: [Float(log(3.0)), 0])
        let value = try KnowledgeDistillation.loss(student: student, teacher: teacher, temperature: 1).item()
        XCTAssertEqual(Double(value), 0.75 * log(1.5) + 0.25 * log(0.5), accuracy: 1e-6)
    }

    func testTemperatureMustBePositive() {
        XCTAssertThrowsError(try KnowledgeDistillation(temperature: 0)) { error in
            XCTAssertEqual("\(error)", "kd: temperature T must be a positive number, got 0.0")
        }
    }
}
