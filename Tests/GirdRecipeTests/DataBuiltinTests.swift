import XCTest
@testable import GirdRecipe

final class DataBuiltinTests: XCTestCase {
    func testFashionMNISTSubsetAndEvaluate() {
        XCTAssertEqual(evaluate("""
            let test = fashion_mnist(split: "test")
            let small = test.subset(200, seed: 0)
            let m = model("resnet8", classes: 10, in_channels: 1)
            let result = evaluate(m, small)
            [len(test), len(small), small.classes[0], len(small.classes), keys(result),
             result.top1 >= 0 and result.top1 <= 1, result.top5 >= result.top1]
            """), "[10000, 200, \"T-shirt/top\", 10, [\"top1\", \"top5\", \"loss\"], true, true]")
    }

    func testIDXPair() {
        let root = "/usr/share/datasets/fashion-mnist"
        XCTAssertEqual(evaluate("len(idx(images: \"\(root)/t10k-images-idx3-ubyte.gz\", labels: \"\(root)/t10k-labels-idx1-ubyte.gz\"))"), "10000")
    }

    func testMissingDatasetIsARecipeError() {
        let text = errorText("cifar10(\"/nonexistent/cifar\")")
        XCTAssertTrue(text.hasPrefix("<-e>:1:1: error: "), text)
        XCTAssertTrue(text.contains("/nonexistent/cifar"), text)
    }

    func testBadSplit() {
        XCTAssertEqual(errorText("fashion_mnist(split: \"val\")"), """
            <-e>:1:1: error: fashion_mnist(): split must be "train" or "test", got "val"
                fashion_mnist(split: "val")
                ^~~~~~~~~~~~~~~~~~~~~~~~~~~

            """)
    }
}
