import XCTest
import GirdTensor
@testable import GirdRecipe

/// Every size a recipe gives a data, tensor or view builtin is bounded where
/// it is read: a recipe error at the call that names the limit and why,
/// never an abort (issue 14, item 6).
final class BuiltinBoundsTests: XCTestCase {
    /// The first line of a recipe's error: `<-e>:LINE:COL: error: MESSAGE`.
    private func firstLine(_ code: String) -> String {
        errorText(code).components(separatedBy: "\n")[0]
    }

    private let tensorLimit = "at most 268435456 elements (1 GiB of float32), so that a mistyped size fails here instead of exhausting memory"

    func testCreationShapesAreBounded() {
        for name in ["zeros", "ones", "randn", "rand"] {
            XCTAssertEqual(firstLine("\(name)([100000, 100000])"),
                           "<-e>:1:1: error: \(name)(): shape [100000, 100000] is too large: a recipe's tensor holds \(tensorLimit)")
        }
        XCTAssertEqual(firstLine("full([100000, 100000, 100000, 100000, 100000], 1.5)"),
                       "<-e>:1:1: error: full(): shape [100000, 100000, 100000, 100000, 100000] is too large: a recipe's tensor holds \(tensorLimit)")
        XCTAssertEqual(firstLine("arange(300000000)"),
                       "<-e>:1:1: error: arange(): n must be in 0...268435456, got 300000000: a recipe's tensor holds \(tensorLimit)")
        XCTAssertEqual(firstLine("let t = zeros([2, 3])\nt.reshape([100000, 100000, -1])"),
                       "<-e>:2:1: error: reshape(): shape [100000, 100000, -1] is too large: a recipe's tensor holds \(tensorLimit)")
    }

    func testSubsetAndSplitSizesAreBounded() {
        XCTAssertEqual(firstLine("fashion_mnist(split: \"test\").subset(10000000000000)"),
                       "<-e>:1:1: error: Fashion-MNIST (test): cannot take a subset of 10000000000000 images from 10000")
        XCTAssertEqual(firstLine("fashion_mnist(split: \"test\").split(-1)"),
                       "<-e>:1:1: error: split(): n must be non-negative, got -1")
    }

    func testDatasetCountsAreBounded() {
        XCTAssertEqual(firstLine("image_folder(\"/nonexistent\", size: 100000)"),
                       "<-e>:1:1: error: image_folder(): size must be in 1...4096, got 100000 (the side of the square the images are resized to; every image is held in memory at that size)")
        XCTAssertEqual(firstLine("idx(images: \"a\", labels: \"b\", classes: 10000000000000)"),
                       "<-e>:1:1: error: idx(): classes must be in 1...100000, got 10000000000000 (more classes than any dataset has; a bound so that a mistyped count fails here instead of exhausting memory)")
        XCTAssertEqual(firstLine("idx(images: \"a\", labels: \"b\", classes: 0)"), "<-e>:1:1: error: idx(): classes must be at least 1, got 0")
        XCTAssertEqual(firstLine("model(\"resnet8\", classes: 10000000000000)"),
                       "<-e>:1:1: error: model(): classes must be at most 100000, got 10000000000000 (more classes than any dataset has; a bound so that a mistyped count fails here instead of exhausting memory)")
        XCTAssertEqual(firstLine("model(\"resnet8\", in_channels: 5000)"),
                       "<-e>:1:1: error: model(): in_channels must be at most 4096, got 5000 (images have 1 or 3 channels; a bound so that a mistyped count fails here instead of exhausting memory)")
        XCTAssertEqual(firstLine("""
            evaluate(model("resnet8", classes: 10, in_channels: 1), fashion_mnist(split: "test"), batch_size: 9223372036854775807)
            """), "<-e>:1:1: error: evaluate(): batch_size must be in 1...65536, got 9223372036854775807 (a batch's activations are held in memory at once; the figures do not depend on it)")
    }

    func testABatchLargerThanMemoryIsRefusedBeforeAllocating() throws {
        // Fashion-MNIST images are 1x32x32 float32: 4096 bytes each.
        let count = MemoryLimit.physicalBytes / 4096 + 1
        // The project's machines have 24 GiB (about 6.3 million images); a
        // list for a machine of over 80 GB would be beyond a recipe's lists.
        XCTAssertLessThanOrEqual(count, 20_000_000, "this test is sized for machines of at most 80 GB")
        guard count <= 20_000_000 else { return }
        let bytes = MemoryLimit.describe(bytes: count * 4096), machine = MemoryLimit.describe(bytes: MemoryLimit.physicalBytes)
        XCTAssertEqual(firstLine("fashion_mnist(split: \"test\").batch([0] * \(count))"),
                       "<-e>:1:1: error: batch(): \(count) images of [1, 32, 32] needs \(bytes), more than this machine's \(machine) of memory")
    }

    func testHeatmapImageIsBounded() {
        XCTAssertEqual(firstLine("heatmap(zeros([2, 2]), \"x.png\", scale: 65)"),
                       "<-e>:1:1: error: heatmap(): scale must be in 1...64, got 65 (each value is drawn as scale x scale pixels)")
        XCTAssertEqual(firstLine("heatmap(zeros([20000]), \"x.png\", scale: 64)"),
                       "<-e>:1:1: error: heatmap(): a 1280000 x 64 pixel image is too large: each side must be at most 1000000 pixels (the most PNG readers accept)")
        let machine = MemoryLimit.describe(bytes: MemoryLimit.physicalBytes)
        XCTAssertEqual(firstLine("heatmap(zeros([5000, 5000]), \"x.png\", scale: 64)"),
                       "<-e>:1:1: error: heatmap(): a 320000 x 320000 pixel image needs 286.1 GiB, more than this machine's \(machine) of memory")
    }

    func testStdDegreesOfFreedomAreNotNegative() {
        XCTAssertEqual(firstLine("std([1, 2], ddof: -9223372036854775807 - 1)"),
                       "<-e>:1:1: error: std(): ddof must be zero or more (the degrees of freedom removed), got -9223372036854775808")
    }

    func testRangeCountBeyondAnIntIsAnError() {
        XCTAssertEqual(firstLine("range(0, 9223372036854775807, 1)"),
                       "<-e>:1:1: error: range(): 9223372036854775808 elements is too many (at most 20000000)")
    }

    func testEnumerateStartCannotOverflow() {
        XCTAssertEqual(firstLine("enumerate([1, 2], start: 9223372036854775807)"),
                       "<-e>:1:1: error: enumerate(): start 9223372036854775807 leaves no room for 2 indices below the largest int, 9223372036854775807")
    }
}
