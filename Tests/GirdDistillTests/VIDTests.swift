import Foundation
import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class VIDTests: XCTestCase {
    func testMatchesRepDistillerVIDLoss() throws {
        let fixtures = try ReferenceFixture.cases(of: "vid")
        XCTAssertEqual(fixtures.count, 3)
        for fixture in fixtures {
            let pairs = try fixture.int("pairs")
            let students = try (0..<pairs).map { try fixture.input("student\($0)") }
            let teachers = try (0..<pairs).map { try fixture.input("teacher\($0)") }
            let studentTaps = (0..<pairs).map { "s\($0)" }, teacherTaps = (0..<pairs).map { "t\($0)" }
            let method = try VariationalInformation(studentTaps: studentTaps, teacherTaps: teacherTaps,
                                                    initialVariance: try fixture.float("init_var"))
            try method.build(ReferenceFixture.setup(student: Array(zip(studentTaps, students)),
                                                     teacher: Array(zip(teacherTaps, teachers))))
            for (index, regressor) in method.regressors.enumerated() {
                try fixture.loadWeights(into: regressor, prefix: "pair\(index).")
            }
            let batch = students[0].shape[0]
            let step = try makeStep(studentLogits: Tensor.zeros([batch, 2]), teacherLogits: Tensor.zeros([batch, 2]),
                                    studentFeatures: Dictionary(uniqueKeysWithValues: zip(studentTaps, students)),
                                    teacherFeatures: Dictionary(uniqueKeysWithValues: zip(teacherTaps, teachers)))
            try fixture.check(loss: try method.loss(step),
                              leaves: Dictionary(uniqueKeysWithValues: students.enumerated().map { ("student\($0.offset)", $0.element) }))
            ReferenceFixture.assertClose(try XCTUnwrap(method.regressors[0].logScale.grad),
                                         try XCTUnwrap(fixture.outputs["grad_pair0_log_scale"]), tolerance: 1e-5,
                                         "\(fixture.label): log_scale gradient")
        }
    }

    /// log_scale starts at softplus^-1(5 - eps), so the variance starts at 5.
    func testInitialVarianceIsFive() throws {
        let regressor = try VIDRegressor(inChannels: 2, midChannels: 3, targetChannels: 3, generator: RandomGenerator(seed: 1))
        XCTAssertEqual(regressor.logScale.toArray()[0], Float(log(exp(5.0 - 1e-5) - 1)))
        for value in try regressor.variance().toArray() { XCTAssertEqual(value, 5, accuracy: 1e-5) }
        XCTAssertEqual(regressor.stateDictionary().map(\.name),
                       ["log_scale", "regressor.0.weight", "regressor.2.weight", "regressor.4.weight"])
    }

    func testBadConfigurationsAreRefused() throws {
        XCTAssertThrowsError(try VariationalInformation(epsilon: 0)) {
            XCTAssertEqual("\($0)", "vid: eps must be a positive number, got 0.0")
        }
        XCTAssertThrowsError(try VariationalInformation(initialVariance: 1e-6)) {
            XCTAssertEqual("\($0)", "vid: initial variance must be finite and above eps (1e-05), got 1e-06")
        }
        let distiller = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 2),
                                      terms: [DistillationTerm(try VariationalInformation(studentTaps: ["stage1", "stage2"], teacherTaps: ["stage3"]))])
        XCTAssertThrowsError(try distiller.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32],
                                                   trainingSetSize: 1)) {
            XCTAssertEqual("\($0)", "vid: needs as many student taps as teacher taps (at least one), got [\"stage1\", \"stage2\"] and [\"stage3\"]")
        }
        XCTAssertThrowsError(try VariationalInformation(studentTaps: [], teacherTaps: []).build(DistillationSetup(
            studentShapes: [:], teacherShapes: [:], classes: 2, trainingSetSize: 1, generator: RandomGenerator(seed: 0)))) {
            XCTAssertEqual("\($0)", "vid: needs as many student taps as teacher taps (at least one), got [] and []")
        }
        let vector = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 2),
                                   terms: [DistillationTerm(try VariationalInformation(studentTaps: ["embedding"], teacherTaps: ["stage3"]))])
        XCTAssertThrowsError(try vector.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32],
                                                trainingSetSize: 1)) {
            XCTAssertEqual("\($0)", "vid: taps must be feature maps [C, H, W]; 'embedding' is [64] and 'stage3' is [64, 8, 8]")
        }
        XCTAssertEqual(VariationalInformation.publishedWeight, 1)
    }

    func testRunsInsideDistiller() throws {
        let method = try VariationalInformation()
        let distiller = try assertRunsInsideDistiller(method)
        XCTAssertEqual(method.studentTaps, ["stage1", "stage2", "stage3"])
        XCTAssertEqual(distiller.trainableModules.map(\.name), ["term1.stage1", "term1.stage2", "term1.stage3"])
        XCTAssertEqual(method.regressors.map { $0.logScale.count }, [16, 32, 64])
    }

    /// A VGG teacher has four stages and a resnet8 student three: the first
    /// three pair up, as RepDistiller's `zip` pairs them.
    func testDefaultTapsPairAsRepDistillersZip() throws {
        let method = try VariationalInformation()
        let request = try method.configure(student: try ModelZoo.make("resnet8", classes: 2),
                                           teacher: try ModelZoo.make("vgg8", classes: 2))
        XCTAssertEqual(request.student, ["stage1", "stage2", "stage3"])
        XCTAssertEqual(request.teacher, ["stage1", "stage2", "stage3"])
    }
}
