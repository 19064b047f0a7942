import GirdTensor
import XCTest
@testable import GirdView

final class SideBySideTests: XCTestCase {
    func testPanelsArePaddedToTheirWidths() {
        let composed = SideBySide.compose([
            (title: "a", view: RenderedView(lines: ["xx", "yy"])),
            (title: "title", view: RenderedView(lines: ["z"])),
        ])
        XCTAssertEqual(composed.lines, ["a    title", "xx   z", "yy"])
    }

    func testRelationsShareOneScaleAndShowTheDifference() throws {
        let teacher = try Tensor(shape: [2, 2], values: [0, 1, 1, 0])
        let student = try Tensor(shape: [2, 2], values: [0, 2, 2, 0])
        let options = Heatmap.Options(mode: .plain, legendWidth: 2)
        let view = try RelationView.render(teacher: teacher, student: student, options: options)
        // Shared range 0...2: the teacher's 1 is the middle (+), the student's 2 the top (@);
        // the difference [0 1; 1 0] is on −1...1, so 0 is the middle.
        let gap = String(repeating: " ", count: 9)
        XCTAssertEqual(view.lines, [
            "teacher    student    student - teacher",
            " +\(gap) @\(gap)+@",
            "+ \(gap)@ \(gap)@+",
            "0 [ @] 2   0 [ @] 2   -1 [ @] 1",
        ])
    }

    func testRelationsOfDifferentShapesAreRefused() throws {
        XCTAssertThrowsError(try RelationView.render(teacher: Tensor.zeros([2, 2]), student: Tensor.zeros([2, 3]),
                                                     options: Heatmap.Options(mode: .plain))) {
            XCTAssertEqual("\($0)", "cannot draw a tensor of shape [2, 3]: the student's relation matrix must have the teacher's shape [2, 2]")
        }
    }

    func testShowOnAPipeIsTheSummaryAlone() throws {
        let t = try Tensor(shape: [2, 2], values: [0, 1, 2, 3])
        XCTAssertEqual(try TensorView.show(t, mode: nil), "Tensor [2, 2] float32  min 0  mean 1.5  max 3  NaN 0")
        let shown = try TensorView.show(t, mode: .plain)
        XCTAssertEqual(shown.split(separator: "\n").map(String.init),
                       ["Tensor [2, 2] float32  min 0  mean 1.5  max 3  NaN 0", " -", "*@", "0 [  .::-==+**#%%@@] 3"])
    }
}

final class TensorViewTests: XCTestCase {
    func testAFeatureMapShowsOneChannelOfSampleZero() throws {
        // [N=2, C=2, H=1, W=2]: sample 0 channel 1 is [2, 3].
        let t = try Tensor(shape: [2, 2, 1, 2], values: (0 ..< 8).map(Float.init))
        let shown = try TensorView.show(t, mode: .plain, channel: 1)
        XCTAssertEqual(shown.split(separator: "\n").map(String.init), [
            "Tensor [2, 2, 1, 2] float32  min 0  mean 3.5  max 7  NaN 0",
            "sample 0, channel 1:",
            " @",
            "2 [  .::-==+**#%%@@] 3",
        ])
    }

    func testVectorsAndEmptyTensorsGetTheSummaryAlone() throws {
        XCTAssertEqual(try TensorView.show(Tensor.ones([3]), mode: .trueColor), "Tensor [3] float32  min 1  mean 1  max 1  NaN 0")
        XCTAssertEqual(try TensorView.show(Tensor.zeros([0, 4]), mode: .trueColor), "Tensor [0, 4] float32  empty")
    }
}
