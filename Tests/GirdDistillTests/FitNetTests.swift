import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class FitNetTests: XCTestCase {
    /// Every kind of ConvReg (stride 2, transposed, valid with square and
    /// rectangular kernels, 1x1), in training mode: the loss, the gradient of
    /// the student's map and of every connector parameter.
    func testMatchesRepDistillerHintLossWithConvReg() throws {
        for fixture in try ReferenceFixture.cases(of: "fitnet") {
            let student = try fixture.input("student_feature"), teacher = try fixture.input("teacher_feature")
            let regressor = try XCTUnwrap(try ConvRegressor(studentShape: Array(student.shape.dropFirst()),
                                                            teacherShape: Array(teacher.shape.dropFirst()),
                                                            generator: RandomGenerator(seed: 0)), fixture.label)
            try fixture.loadWeights(into: regressor)
            XCTAssertEqual(regressor.outputShape(for: Array(student.shape.dropFirst())), Array(teacher.shape.dropFirst()), fixture.label)
            try fixture.check(loss: try FitNet.loss(student: student, teacher: teacher, regressor: regressor),
                              leaves: ["student_feature": student])
            for (name, parameter) in regressor.namedParameters() {
                let expected = try XCTUnwrap(fixture.outputs["grad." + name], "\(fixture.label): grad.\(name)")
                let gradient = try XCTUnwrap(parameter.grad, "\(fixture.label): no gradient at \(name)")
                if name == "conv.bias" {
                    // Batch norm in training mode subtracts the batch mean, bias
                    // included: the exact gradient is 0 (the reference's is
                    // ~1e-17), so only float32 rounding is left to compare.
                    XCTAssertLessThan(gradient.toArray().map(abs).max() ?? 0, 1e-6, "\(fixture.label): grad \(name)")
                    continue
                }
                ReferenceFixture.assertClose(gradient, expected, tolerance: 1e-5, "\(fixture.label): grad \(name)")
            }
        }
    }

    func testRegressorKindFollowsTheSizes() throws {
        let generator = RandomGenerator(seed: 1)
        XCTAssertEqual(try ConvRegressor(studentShape: [16, 32, 32], teacherShape: [32, 16, 16], generator: generator)?.kind, .strided)
        XCTAssertEqual(try ConvRegressor(studentShape: [16, 8, 8], teacherShape: [32, 16, 16], generator: generator)?.kind, .transposed)
        XCTAssertEqual(try ConvRegressor(studentShape: [16, 8, 8], teacherShape: [32, 8, 8], generator: generator)?.kind,
                       .valid(kernelHeight: 1, kernelWidth: 1))
        XCTAssertEqual(try ConvRegressor(studentShape: [16, 10, 9], teacherShape: [32, 8, 8], generator: generator)?.kind,
                       .valid(kernelHeight: 3, kernelWidth: 2))
        XCTAssertNil(try ConvRegressor(studentShape: [16, 4, 4], teacherShape: [32, 16, 16], generator: generator))
        let transposed = try XCTUnwrap(try ConvRegressor(studentShape: [3, 2, 2], teacherShape: [5, 4, 4], generator: generator))
        XCTAssertEqual(transposed.stateDictionary().map(\.name),
                       ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"])
        XCTAssertEqual(transposed.conv.weight.shape, [3, 5, 4, 4], "ConvTranspose2d's [in, out, k, k]")
    }

    func testDefaultHintIsFeatureTwo() throws {
        let method = try FitNet()
        XCTAssertEqual(method.name, "fitnet")
        XCTAssertEqual(FitNet.publishedWeight, 100)
        XCTAssertEqual(try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("vgg8", classes: 2)),
                       TapRequest(student: ["stage2"], teacher: ["stage2"]))
    }

    func testImpossibleSizesAreRefusedAtSetUp() throws {
        XCTAssertThrowsError(try FitNet(teacherTap: "stage2")) { error in
            XCTAssertEqual("\(error)", "fitnet: give both a student and a teacher tap, or neither")
        }
        let distiller = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 2),
                                      terms: [DistillationTerm(try FitNet(studentTap: "stage3", teacherTap: "stem"))])
        XCTAssertThrowsError(try distiller.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32], trainingSetSize: 1)) { error in
            XCTAssertEqual("\(error)", "fitnet: no regressor maps the student's 'stage3' [64, 8, 8] to the teacher's 'stem' [16, 32, 32] (the student's map must be twice, half, or at least the teacher's size)")
        }
    }

    /// Heights pick the regressor; widths that do not follow are refused
    /// before the first step (RepDistiller would fail in its MSE).
    func testMismatchedWidthsAreRefusedAtBuild() throws {
        let method = try FitNet(studentTap: "s", teacherTap: "t")
        _ = try method.configure(student: try ModelZoo.make("resnet8", classes: 2), teacher: try ModelZoo.make("resnet8", classes: 2))
        XCTAssertThrowsError(try method.build(DistillationSetup(studentShapes: ["s": [2, 4, 8, 6]], teacherShapes: ["t": [2, 4, 4, 4]],
                                                                classes: 2, trainingSetSize: 1, generator: RandomGenerator(seed: 0)))) { error in
            XCTAssertEqual("\(error)", "fitnet: the regressor maps the student's 's' [4, 8, 6] to [4, 4, 3], not to the teacher's 't' [4, 4, 4]")
        }
    }

    func testRunsInADistiller() throws {
        let method = try FitNet()
        let distiller = try BaselineHarness.assertOneDistillationStep(method)
        XCTAssertEqual(distiller.trainableModules.map(\.name), ["term1.regressor"])
        XCTAssertEqual(method.regressor?.kind, .valid(kernelHeight: 1, kernelWidth: 1))
    }
}
