import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class SPTests: XCTestCase {
    func testMatchesRepDistillerSimilarity() throws {
        for fixture in try ReferenceFixture.cases(of: "sp") {
            let pairs = try fixture.int("pairs")
            var student: [String: Tensor] = [:], teacher: [String: Tensor] = [:]
            for k in 0..<pairs {
                student["s\(k)"] = try fixture.input("student_\(k)")
                teacher["t\(k)"] = try fixture.input("teacher_\(k)")
            }
            let method = try SimilarityPreserving(studentTaps: (0..<pairs).map { "s\($0)" }, teacherTaps: (0..<pairs).map { "t\($0)" })
            _ = try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("resnet8", classes: 2))
            let batch = student["s0"]!.shape[0]
            let loss = try method.loss(try BaselineHarness.featureStep(student: student, teacher: teacher, batch: batch))
            let leaves = Dictionary(uniqueKeysWithValues: student.map { ("student_\($0.key.dropFirst())", $0.value) })
            try fixture.check(loss: loss, leaves: leaves)
        }
    }

    /// Two images with orthogonal features: the Gram matrix is diagonal, its
    /// rows (1, 0) and (0, 1) after normalisation. A teacher whose images are
    /// (1, 1) and (2, 2) has Gram rows (2, 4) and (4, 8), both (1, 2)/√5
    /// normalised; the squared differences are summed and divided by B² = 4.
    func testTwoImagesByHand() throws {
        let student = try Tensor(shape: [2, 2], values: [1, 0, 0, 3])
        let teacher = try Tensor(shape: [2, 2], values: [1, 1, 2, 2])
        let value = try SimilarityPreserving.loss(student: [student], teacher: [teacher]).item()
        let (a, b) = (1 / Float(5).squareRoot(), 2 / Float(5).squareRoot())
        let expected = ((a - 1) * (a - 1) + b * b + a * a + (b - 1) * (b - 1)) / 4
        XCTAssertEqual(value, expected, accuracy: 1e-6)
    }

    func testDefaultTapIsTheLastStage() throws {
        let method = try SimilarityPreserving()
        XCTAssertEqual(method.name, "sp")
        XCTAssertEqual(SimilarityPreserving.publishedWeight, 3000)
        let request = try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("vgg8", classes: 2))
        XCTAssertEqual(request, TapRequest(student: ["stage3"], teacher: ["stage4"]))
    }

    func testMismatchedTapListsAreRefused() {
        XCTAssertThrowsError(try SimilarityPreserving(studentTaps: ["stage2", "stage3"], teacherTaps: ["stage3"])) { error in
            XCTAssertEqual("\(error)", "sp: the student and teacher tap lists must have the same non-zero length, got 2 and 1")
        }
        XCTAssertThrowsError(try SimilarityPreserving(studentTaps: [], teacherTaps: [])) { error in
            XCTAssertEqual("\(error)", "sp: the student and teacher tap lists must have the same non-zero length, got 0 and 0")
        }
        XCTAssertThrowsError(try SimilarityPreserving(teacherTaps: ["stage3"])) { error in
            XCTAssertEqual("\(error)", "sp: give both a student and a teacher tap list, or neither")
        }
    }

    func testRunsInADistiller() throws {
        try BaselineHarness.assertOneDistillationStep(try SimilarityPreserving())
    }
}
