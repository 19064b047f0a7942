import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class ATTests: XCTestCase {
    func testMatchesRepDistillerAttention() throws {
        for fixture in try ReferenceFixture.cases(of: "at") {
            let pairs = try fixture.int("pairs")
            var student: [String: Tensor] = [:], teacher: [String: Tensor] = [:]
            for k in 0..<pairs {
                student["s\(k)"] = try fixture.input("student_\(k)")
                teacher["t\(k)"] = try fixture.input("teacher_\(k)")
            }
            let method = try AttentionTransfer(p: try fixture.float("p"), studentTaps: (0..<pairs).map { "s\($0)" },
                                               teacherTaps: (0..<pairs).map { "t\($0)" })
            _ = try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("resnet8", classes: 2))
            let batch = student["s0"]!.shape[0]
            let loss = try method.loss(try BaselineHarness.featureStep(student: student, teacher: teacher, batch: batch))
            let leaves = Dictionary(uniqueKeysWithValues: student.map { ("student_\($0.key.dropFirst())", $0.value) })
            try fixture.check(loss: loss, leaves: leaves)
        }
    }

    /// One channel of 1x2 maps: the student's attention (1, 0) against the
    /// teacher's (3, 4)² = (9, 16) / √337: the mean of the two squared differences.
    func testOnePixelPairByHand() throws {
        let student = try Tensor(shape: [1, 1, 1, 2], values: [2, 0])
        let teacher = try Tensor(shape: [1, 1, 1, 2], values: [3, 4])
        let norm = Float(337).squareRoot()
        let expected = ((1 - 9 / norm) * (1 - 9 / norm) + (16 / norm) * (16 / norm)) / 2
        XCTAssertEqual(try AttentionTransfer.loss(student: [student], teacher: [teacher]).item(), expected, accuracy: 1e-6)
    }

    func testDefaultTapsAreTheStages() throws {
        let method = try AttentionTransfer()
        XCTAssertEqual(method.name, "at")
        XCTAssertEqual(method.p, 2)
        XCTAssertEqual(AttentionTransfer.publishedWeight, 1000)
        XCTAssertEqual(try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("wrn_16_2", classes: 2)),
                       TapRequest(student: ["stage1", "stage2", "stage3"], teacher: ["stage1", "stage2", "stage3"]))
        XCTAssertThrowsError(try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("vgg8", classes: 2))) { error in
            XCTAssertEqual("\(error)", "at: the student resnet8 has 3 stages and the teacher vgg8 4; give the layer pairs explicitly")
        }
    }

    func testBadConfigurationIsRefused() throws {
        XCTAssertThrowsError(try AttentionTransfer(p: 0)) { error in
            XCTAssertEqual("\(error)", "at: p must be a positive number, got 0.0")
        }
        XCTAssertThrowsError(try AttentionTransfer(studentTaps: ["stage1"], teacherTaps: ["stage1", "stage2"])) { error in
            XCTAssertEqual("\(error)", "at: the student and teacher tap lists must have the same non-zero length, got 1 and 2")
        }
        let method = try AttentionTransfer(studentTaps: ["embedding"], teacherTaps: ["stage3"])
        let distiller = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 2), terms: [DistillationTerm(method)])
        XCTAssertThrowsError(try distiller.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32], trainingSetSize: 1)) { error in
            XCTAssertEqual("\(error)", "at: 'embedding' [64] and 'stage3' [64, 8, 8] must both be [C, H, W] feature maps")
        }
    }

    func testRunsInADistiller() throws {
        try BaselineHarness.assertOneDistillationStep(try AttentionTransfer())
    }
}
