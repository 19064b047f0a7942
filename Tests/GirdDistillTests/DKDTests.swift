import XCTest
import GirdNN
import GirdTensor
import GirdTrain
@testable import GirdDistill

/// Runs `method` next to CE inside a `Distiller` on real networks (a
/// resnet20 teacher, a resnet8 student, 1x32x32 images, 10 classes) for one
/// batch of 8: the loss is finite, the method's term is not zero, and the
/// gradient reaches the student's first convolution and every parameter of
/// the method's modules. Shared by the tests of DKD, CC, VID, ReviewKD, IRG.
@discardableResult
func assertRunsInsideDistiller(_ method: DistillationMethod, file: StaticString = #filePath, line: UInt = #line) throws -> Distiller {
    let teacher = try ModelZoo.make("resnet20", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
    let student = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 2))
    let distiller = try Distiller(teacher: teacher, terms: [DistillationTerm(try CrossEntropyTerm()), DistillationTerm(method)])
    try distiller.prepare(student: student, imageShape: [1, 32, 32], trainingSetSize: 100)
    let images = try Tensor.randn([8, 1, 32, 32], generator: RandomGenerator(seed: 3))
    let labels = try Tensor(shape: [8], indices: (0..<8).map { Int64($0 % 10) })
    student.train()
    let loss = try distiller.loss(model: student, batch: TrainingBatch(images: images, labels: labels, indices: Array(0..<8)))
    let value = try loss.item()
    XCTAssertTrue(value.isFinite, "loss \(value)", file: file, line: line)
    XCTAssertEqual(distiller.lastValues.map(\.name), ["ce", method.name], file: file, line: line)
    let term = distiller.lastValues[1].value
    XCTAssertTrue(term.isFinite && term != 0, "\(method.name) term is \(term)", file: file, line: line)
    try loss.backward()
    let firstConv = try XCTUnwrap(student.namedParameters().first, file: file, line: line)
    XCTAssertEqual(firstConv.tensor.rank, 4, "\(firstConv.name) is the first convolution's weight", file: file, line: line)
    XCTAssertNotNil(firstConv.tensor.grad, "no gradient for the student's \(firstConv.name)", file: file, line: line)
    for (name, module) in distiller.trainableModules {
        for (parameter, tensor) in module.namedParameters() {
            XCTAssertNotNil(tensor.grad, "no gradient for \(name).\(parameter)", file: file, line: line)
        }
    }
    try distiller.afterStep()
    return distiller
}

/// Builds a step from plain tensors (what a reference fixture gives).
func makeStep(studentLogits: Tensor, teacherLogits: Tensor, studentFeatures: [String: Tensor] = [:],
              teacherFeatures: [String: Tensor] = [:], labels: Tensor? = nil) throws -> DistillationStep {
    let batch = studentLogits.shape[0]
    return DistillationStep(student: NetworkOutput(logits: studentLogits, features: studentFeatures),
                            teacher: NetworkOutput(logits: teacherLogits, features: teacherFeatures),
                            labels: try labels ?? Tensor(shape: [batch], indices: Array(repeating: 0, count: batch)),
                            indices: Array(0..<batch))
}

final class DKDTests: XCTestCase {
    func testMatchesMdistillerDKDLoss() throws {
        let fixtures = try ReferenceFixture.cases(of: "dkd")
        XCTAssertEqual(fixtures.count, 4)
        for fixture in fixtures {
            let student = try fixture.input("student_logits"), teacher = try fixture.input("teacher_logits")
            let method = try DecoupledKD(alpha: try fixture.float("alpha"), beta: try fixture.float("beta"),
                                         temperature: try fixture.float("T"), warmupEpochs: try fixture.int("warmup"))
            let epoch = try fixture.int("epoch")
            // A case without an epoch is past the ramp.
            method.epoch = epoch < 0 ? max(method.warmupEpochs, 1) : epoch
            let step = try makeStep(studentLogits: student, teacherLogits: teacher, labels: try fixture.input("labels"))
            try fixture.check(loss: try method.loss(step), leaves: ["student_logits": student])
        }
    }

    /// The two parts alone: alpha = 1, beta = 0 is TCKD and alpha = 0, beta = 1 is NCKD.
    func testPartsMatchTheReference() throws {
        let fixture = try ReferenceFixture(method: "dkd", name: "b8c10_defaults")
        let student = try fixture.input("student_logits").detach(), teacher = try fixture.input("teacher_logits")
        let labels = try fixture.input("labels")
        let targetPart = try DecoupledKD.loss(student: student, teacher: teacher, labels: labels, alpha: 1, beta: 0, temperature: 4)
        let otherPart = try DecoupledKD.loss(student: student, teacher: teacher, labels: labels, alpha: 0, beta: 1, temperature: 4)
        let expectedTarget = try XCTUnwrap(fixture.outputs["tckd"]).toArray()[0]
        let expectedOther = try XCTUnwrap(fixture.outputs["nckd"]).toArray()[0]
        XCTAssertEqual(try targetPart.item(), expectedTarget, accuracy: 1e-5 * abs(expectedTarget))
        XCTAssertEqual(try otherPart.item(), expectedOther, accuracy: 1e-5 * abs(expectedOther))
    }

    /// Equal logits give equal distributions: both parts are 0.
    func testIdenticalLogitsGiveZero() throws {
        let logits = try Tensor(shape: [2, 3], values: [1, -2, 0.5, 3, 0, -1])
        let labels = try Tensor(shape: [2], indices: [2, 0])
        let value = try DecoupledKD.loss(student: logits, teacher: logits, labels: labels, alpha: 1, beta: 8, temperature: 4)
        // Float32 rounding, amplified by T^2 * beta = 128, stays far below the values of real logits (1 to 50).
        XCTAssertEqual(try value.item(), 0, accuracy: 1e-4)
    }

    func testWarmupFactorIsMdistillersRamp() throws {
        let method = try DecoupledKD()
        XCTAssertEqual(method.warmupFactor(epoch: 0), 0.05, "the first epoch (0 for the trainer, 1 for mdistiller)")
        XCTAssertEqual(method.warmupFactor(epoch: 9), 0.5)
        XCTAssertEqual(method.warmupFactor(epoch: 239), 1)
        method.epoch = 10
        XCTAssertEqual(method.warmupFactor(epoch: 0), 0.5, "an explicit epoch overrides the step's")
        let noRamp = try DecoupledKD(warmupEpochs: 0)
        XCTAssertEqual(noRamp.warmupFactor(epoch: 0), 1)
        XCTAssertEqual(DecoupledKD.publishedWeight, 1)
    }

    func testBadConfigurationsAreRefused() throws {
        XCTAssertThrowsError(try DecoupledKD(alpha: -1)) { XCTAssertEqual("\($0)", "dkd: alpha must be zero or more, got -1.0") }
        XCTAssertThrowsError(try DecoupledKD(beta: .nan)) { XCTAssertEqual("\($0)", "dkd: beta must be zero or more, got nan") }
        XCTAssertThrowsError(try DecoupledKD(temperature: 0)) {
            XCTAssertEqual("\($0)", "dkd: temperature T must be a positive number, got 0.0")
        }
        XCTAssertThrowsError(try DecoupledKD(warmupEpochs: -2)) {
            XCTAssertEqual("\($0)", "dkd: warm-up epochs must be zero or more, got -2")
        }
        let distiller = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 100), terms: [DistillationTerm(try DecoupledKD())])
        XCTAssertThrowsError(try distiller.prepare(student: try ModelZoo.make("resnet8", classes: 10), imageShape: [3, 32, 32],
                                                   trainingSetSize: 1)) {
            XCTAssertEqual("\($0)", "dkd: the student has [10] logits and the teacher [100]; they must match")
        }
        let oneClass = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 1), terms: [DistillationTerm(try DecoupledKD())])
        XCTAssertThrowsError(try oneClass.prepare(student: try ModelZoo.make("resnet8", classes: 1), imageShape: [3, 32, 32],
                                                  trainingSetSize: 1)) {
            XCTAssertEqual("\($0)", "dkd: needs at least 2 classes, got 1")
        }
        let logits = Tensor.zeros([1, 3])
        XCTAssertThrowsError(try DecoupledKD().loss(try makeStep(studentLogits: logits, teacherLogits: logits,
                                                                 labels: try Tensor(shape: [1], indices: [3])))) {
            XCTAssertEqual("\($0)", "dkd: label 3 is out of range for 3 classes")
        }
    }

    func testRunsInsideDistiller() throws {
        let method = try DecoupledKD()
        method.epoch = 5
        try assertRunsInsideDistiller(method)
    }
}
