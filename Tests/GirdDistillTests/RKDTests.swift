import XCTest
import GirdNN
import GirdTensor
import GirdTrain
@testable import GirdDistill

/// Helpers shared by the tests of RKD, SP, PKT, AT, FitNet and CRD.
enum BaselineHarness {
    /// A step that carries the given taps (and dummy logits), for the
    /// reference checks of methods that read features.
    static func featureStep(student: [String: Tensor], teacher: [String: Tensor], batch: Int, indices: [Int]? = nil) throws -> DistillationStep {
        let logits = Tensor.zeros([batch, 2])
        return DistillationStep(student: NetworkOutput(logits: logits, features: student),
                                teacher: NetworkOutput(logits: logits, features: teacher),
                                labels: try Tensor(shape: [batch], indices: Array(repeating: 0, count: batch)),
                                indices: indices ?? Array(0..<batch))
    }

    /// Runs `method` next to CE in a `Distiller` with a resnet20 teacher and a
    /// resnet8 student (10 classes, 1x32x32 images) for one step of 8 random
    /// images: the loss and the method's own term must be finite, and the
    /// gradient must reach the student's first convolution and every
    /// parameter of the method's modules. Returns the distiller.
    @discardableResult
    static func assertOneDistillationStep(_ method: DistillationMethod, trainingSetSize: Int = 64,
                                          file: StaticString = #filePath, line: UInt = #line) throws -> Distiller {
        let teacher = try ModelZoo.make("resnet20", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
        let student = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 2))
        let distiller = try Distiller(teacher: teacher, terms: [DistillationTerm(try CrossEntropyTerm()), DistillationTerm(method)])
        try distiller.prepare(student: student, imageShape: [1, 32, 32], trainingSetSize: trainingSetSize)
        let images = try Tensor.randn([8, 1, 32, 32], generator: RandomGenerator(seed: 3))
        let labels = try Tensor(shape: [8], indices: (0..<8).map { Int64($0 % 10) })
        student.train()
        let loss = try distiller.loss(model: student, batch: TrainingBatch(images: images, labels: labels, indices: (0..<8).map { $0 * 5 }))
        XCTAssertTrue(loss.isFinite, "\(method.name): loss \(loss)", file: file, line: line)
        XCTAssertEqual(distiller.lastValues.map(\.name), ["ce", method.name], file: file, line: line)
        let value = distiller.lastValues[1].value
        XCTAssertTrue(value.isFinite && value > 0, "\(method.name): term value \(value)", file: file, line: line)
        try loss.backward()
        let firstConvolution = try XCTUnwrap(student.namedParameters().first, file: file, line: line)
        XCTAssertEqual(firstConvolution.tensor.rank, 4, file: file, line: line)
        XCTAssertNotNil(firstConvolution.tensor.grad, "\(method.name): no gradient at \(firstConvolution.name)", file: file, line: line)
        XCTAssertEqual(firstConvolution.tensor.grad?.isFinite, true, file: file, line: line)
        for (name, module) in distiller.trainableModules {
            for (parameterName, parameter) in module.namedParameters() {
                XCTAssertNotNil(parameter.grad, "\(method.name): no gradient at \(name).\(parameterName)", file: file, line: line)
            }
        }
        try distiller.afterStep()
        return distiller
    }
}

final class RKDTests: XCTestCase {
    func testMatchesRepDistillerRKDLoss() throws {
        for fixture in try ReferenceFixture.cases(of: "rkd") {
            let student = try fixture.input("student_embedding"), teacher = try fixture.input("teacher_embedding")
            let method = try RelationalKD(distanceWeight: try fixture.float("w_d"), angleWeight: try fixture.float("w_a"))
            _ = try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("resnet8", classes: 2))
            let step = try BaselineHarness.featureStep(student: ["embedding": student], teacher: ["embedding": teacher], batch: student.shape[0])
            try fixture.check(loss: try method.loss(step), leaves: ["student_embedding": student])
        }
    }

    /// Three points on a line, 0, 1 and 3, for both networks: the
    /// distances (1, 3, 2; mean 2) agree, and so do the angles, so the
    /// loss is 0; scaling the student does not change that (RKD is scale-free).
    func testScaledCopyOfTheTeacherCostsNothing() throws {
        let teacher = try Tensor(shape: [3, 1], values: [0, 1, 3])
        let value = try RelationalKD.loss(student: teacher * 7, teacher: teacher).item()
        XCTAssertEqual(value, 0, accuracy: 1e-6)
        XCTAssertGreaterThan(try RelationalKD.loss(student: try Tensor(shape: [3, 1], values: [0, 2, 3]), teacher: teacher).item(), 0.1)
    }

    /// A batch of one has no pair: RepDistiller's distance term is NaN
    /// there (a mean over no distances); here it is 0, as is the angle term.
    func testBatchOfOneIsZeroNotNaN() throws {
        let student = try Tensor(shape: [1, 3], values: [1, 2, 3]).requiringGrad()
        let loss = try RelationalKD.loss(student: student, teacher: try Tensor(shape: [1, 2], values: [1, 0]))
        XCTAssertEqual(try loss.item(), 0)
        try loss.backward()
        XCTAssertEqual(student.grad?.toArray(), [0, 0, 0])
    }

    func testDefaultsAndTaps() throws {
        let method = try RelationalKD()
        XCTAssertEqual(method.name, "rkd")
        XCTAssertEqual(method.distanceWeight, 25)
        XCTAssertEqual(method.angleWeight, 50)
        XCTAssertEqual(RelationalKD.publishedWeight, 1)
        let request = try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("wrn_16_2", classes: 2))
        XCTAssertEqual(request, TapRequest(student: ["embedding"], teacher: ["embedding"]))
        let explicit = try RelationalKD(studentTap: "stage3", teacherTap: "stage2")
        XCTAssertEqual(try explicit.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("resnet8", classes: 2)),
                       TapRequest(student: ["stage3"], teacher: ["stage2"]))
    }

    func testBadConfigurationIsRefused() {
        XCTAssertThrowsError(try RelationalKD(distanceWeight: -1)) { error in
            XCTAssertEqual("\(error)", "rkd: distance weight must be zero or more, got -1.0")
        }
        XCTAssertThrowsError(try RelationalKD(angleWeight: .nan)) { error in
            XCTAssertEqual("\(error)", "rkd: angle weight must be zero or more, got nan")
        }
        XCTAssertThrowsError(try RelationalKD(studentTap: "stage3")) { error in
            XCTAssertEqual("\(error)", "rkd: give both a student and a teacher tap, or neither")
        }
    }

    func testRunsInADistiller() throws {
        try BaselineHarness.assertOneDistillationStep(try RelationalKD())
    }
}
