import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class ReviewKDTests: XCTestCase {
    /// The review path (ABF chain, batch norms with batch statistics) and HCL
    /// against mdistiller's, on the fixture's weights.
    func testMatchesMdistillerReviewKD() throws {
        let fixtures = try ReferenceFixture.cases(of: "reviewkd")
        XCTAssertEqual(fixtures.count, 3)
        for fixture in fixtures {
            let levels = try fixture.int("levels")
            let students = try (0..<levels).map { try fixture.input("student\($0)") }
            let teachers = try (0..<levels).map { try fixture.input("teacher\($0)") }
            let studentTaps = (0..<levels).map { "s\($0)" }, teacherTaps = (0..<levels).map { "t\($0)" }
            let method = try ReviewKD(studentTaps: studentTaps, teacherTaps: teacherTaps, maxMidChannels: try fixture.int("max_mid"))
            method.epoch = method.warmupEpochs   // past the ramp, as the reference
            try method.build(ReferenceFixture.setup(student: Array(zip(studentTaps, students)),
                                                     teacher: Array(zip(teacherTaps, teachers))))
            let fusions = try XCTUnwrap(method.fusions)
            try fixture.loadWeights(into: fusions, prefix: "abfs.")
            let batch = students[0].shape[0]
            let step = try makeStep(studentLogits: Tensor.zeros([batch, 2]), teacherLogits: Tensor.zeros([batch, 2]),
                                    studentFeatures: Dictionary(uniqueKeysWithValues: zip(studentTaps, students)),
                                    teacherFeatures: Dictionary(uniqueKeysWithValues: zip(teacherTaps, teachers)))
            try fixture.check(loss: try method.loss(step),
                              leaves: Dictionary(uniqueKeysWithValues: students.enumerated().map { ("student\($0.offset)", $0.element) }))
            let weight = levels > 1 ? try XCTUnwrap(fusions.levels[1].attentionConv?.namedParameters().first?.tensor)
                                    : fusions.levels[0].conv1.namedParameters()[0].tensor
            ReferenceFixture.assertClose(try XCTUnwrap(weight.grad), try XCTUnwrap(fixture.outputs["grad_abfs_1_att_weight"]),
                                         tolerance: 1e-5, "\(fixture.label): fusion weight gradient")
        }
    }

    /// One channel, 2x2 against zeros: only the 1x1 pooling is below h = 2,
    /// so HCL = (mse + mse(pool1) / 2) / 1.5 = (7.5 + 6.25 / 2) / 1.5.
    func testHierarchicalContextLossByHand() throws {
        let student = try Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        let value = try ReviewKD.hierarchicalContextLoss(student, Tensor.zeros([1, 1, 2, 2])).item()
        XCTAssertEqual(value, (7.5 + 6.25 / 2) / 1.5, accuracy: 1e-6)
        let vector = try Tensor(shape: [2, 3, 1, 1], values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try ReviewKD.hierarchicalContextLoss(vector, Tensor.zeros([2, 3, 1, 1])).item(), 91 / 6, accuracy: 1e-5)
    }

    func testWarmupScalesTheLoss() throws {
        let method = try ReviewKD()
        XCTAssertEqual(method.warmupFactor(epoch: 3), 0.2, "the trainer's epoch 3 is mdistiller's 4")
        XCTAssertEqual(method.warmupFactor(epoch: 20), 1)
        method.epoch = 21
        XCTAssertEqual(method.warmupFactor(epoch: 0), 1, "an explicit epoch overrides the step's")
        XCTAssertEqual(ReviewKD.publishedWeight, 5)
    }

    func testBadConfigurationsAreRefused() throws {
        XCTAssertThrowsError(try ReviewKD(maxMidChannels: 0)) {
            XCTAssertEqual("\($0)", "reviewkd: max mid channels must be positive, got 0")
        }
        XCTAssertThrowsError(try ReviewKD(warmupEpochs: -1)) {
            XCTAssertEqual("\($0)", "reviewkd: warm-up epochs must be zero or more, got -1")
        }
        let mismatched = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 2),
                                       terms: [DistillationTerm(try ReviewKD(teacherTaps: ["stage3", "embedding"]))])
        XCTAssertThrowsError(try mismatched.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32],
                                                    trainingSetSize: 1)) {
            XCTAssertEqual("\($0)", "reviewkd: needs as many student taps as teacher taps (at least one), got [\"stage1\", \"stage2\", \"stage3\", \"embedding\"] and [\"stage3\", \"embedding\"]")
        }
        XCTAssertThrowsError(try ReviewKD(studentTaps: [], teacherTaps: []).build(DistillationSetup(
            studentShapes: [:], teacherShapes: [:], classes: 2, trainingSetSize: 1, generator: RandomGenerator(seed: 0)))) {
            XCTAssertEqual("\($0)", "reviewkd: needs as many student taps as teacher taps (at least one), got [] and []")
        }
        let flat = try ReviewKD(studentTaps: ["s"], teacherTaps: ["t"])
        XCTAssertThrowsError(try flat.build(DistillationSetup(studentShapes: ["s": [2, 3, 4]], teacherShapes: ["t": [2, 3, 4, 4]],
                                                              classes: 2, trainingSetSize: 1, generator: RandomGenerator(seed: 0)))) {
            XCTAssertEqual("\($0)", "reviewkd: the student tap 's' must be a feature map [C, H, W] or a vector [C], got [3, 4]")
        }
    }

    func testRunsInsideDistillerWithMdistillersTaps() throws {
        let method = try ReviewKD()
        method.epoch = 3
        let distiller = try assertRunsInsideDistiller(method)
        XCTAssertEqual(method.studentTaps, ["stage1", "stage2", "stage3", "embedding"])
        XCTAssertEqual(method.teacherTaps, ["stage1.preact", "stage2.preact", "stage3.preact", "embedding"])
        XCTAssertEqual(distiller.trainableModules.map(\.name), ["term1.abfs"])
        let levels = try XCTUnwrap(method.fusions).levels
        XCTAssertEqual(levels.map { $0.attentionConv == nil }, [true, false, false, false], "the deepest level does not fuse")
        XCTAssertEqual(levels.map { $0.conv1.namedParameters()[0].tensor.shape }, [[64, 64, 1, 1], [64, 64, 1, 1], [64, 32, 1, 1], [64, 16, 1, 1]])
    }
}
