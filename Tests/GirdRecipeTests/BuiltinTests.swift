import XCTest
import GirdTensor
@testable import GirdRecipe

final class BuiltinTests: XCTestCase {
    func testGeneral() {
        XCTAssertEqual(evaluate("[len([1, 2]), len(\"héllo\"), len({a: 1})]"), "[2, 5, 1]")
        XCTAssertEqual(evaluate("range(5)"), "[0, 1, 2, 3, 4]")
        XCTAssertEqual(evaluate("range(2, 10, 3)"), "[2, 5, 8]")
        XCTAssertEqual(evaluate("[str(1.5), int(2.9), int(-2.9), float(3), int(\"42\")]"), "[\"1.5\", 2, -2, 3.0, 42]")
        XCTAssertEqual(evaluate("[min([3, 1, 2]), max(3, 7), sum([1, 2, 3]), sum([0.5, 1])]"), "[1, 7, 6, 1.5]")
        XCTAssertEqual(evaluate("[mean([1, 2, 3, 4]), std([2, 4, 4, 4, 5, 5, 7, 9])]"), "[2.5, 2.0]")
        XCTAssertEqual(evaluate("sorted([3, 1, 2])"), "[1, 2, 3]")
        XCTAssertEqual(evaluate("sorted([\"b\", \"a\"], reverse: true)"), "[\"b\", \"a\"]")
        XCTAssertEqual(evaluate("zip([1, 2, 3], [\"a\", \"b\"])"), "[[1, \"a\"], [2, \"b\"]]")
        XCTAssertEqual(evaluate("enumerate([\"x\", \"y\"])"), "[[0, \"x\"], [1, \"y\"]]")
        XCTAssertEqual(evaluate("keys({bank: 1, tau: 2})"), "[\"bank\", \"tau\"]")
        XCTAssertEqual(evaluate("grid({a: [1, 2], b: [\"x\", \"y\"]})"),
                       "[{a: 1, b: \"x\"}, {a: 1, b: \"y\"}, {a: 2, b: \"x\"}, {a: 2, b: \"y\"}]")
        XCTAssertEqual(evaluate("[abs(-3), round(2.5), round(3.14159, digits: 2), fmt(0.91234, 2), join([1, 2], sep: \", \")]"),
                       "[3, 2, 3.14, \"0.91\", \"1, 2\"]")
        XCTAssertEqual(evaluate("[sqrt(16), exp(0), log(1), type(1.0), type([])]"), "[4.0, 1.0, 0.0, \"float\", \"list\"]")
    }

    /// torchvision's networks have ImageNet's 1000 classes unless the call
    /// gives `classes:` (even 100, the signature's default for the CIFAR zoo).
    func testTorchvisionModelsDefaultToImageNetsClasses() {
        XCTAssertEqual(evaluate("model(\"tv_mobilenet_v2\").classes"), "1000")
        XCTAssertEqual(evaluate("model(\"tv_mobilenet_v2\", classes: 100).classes"), "100")
        XCTAssertEqual(evaluate("model(\"resnet8\").classes"), "100")
    }

    /// `reid_eval` on embeddings: query id 1 (camera 0) is nearer the id-2
    /// image (distance 4) than its own id on camera 1 (5): a match at rank 2.
    func testReIDEvaluation() {
        XCTAssertEqual(evaluate("""
            let r = reid_eval(tensor([[1.0, 0.0]]), [1], [0], tensor([[0.0, 2.0], [3.0, 0.0]]), [1, 2], [1, 0])
            [r.map, r.rank1, r.rank5, r.rank10]
            """), "[0.5, 0.0, 1.0, 1.0]")
        XCTAssertEqual(errorText("reid_eval(tensor([[1.0]]), [1], [0], tensor([[1.0]]), [1], [0])"), """
            <-e>:1:1: error: reid_eval(): reid: no query identity appears in the gallery (from another camera)
                reid_eval(tensor([[1.0]]), [1], [0], tensor([[1.0]]), [1], [0])
                ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~

            """)
    }

    func testSeedMakesRandomTensorsRepeat() {
        XCTAssertEqual(evaluate("seed(3); let a = randn([4]).tolist(); seed(3); let b = randn([4]).tolist(); a == b"), "true")
        XCTAssertEqual(evaluate("seed(3); let a = rand([4]).tolist(); let b = rand([4]).tolist(); a == b"), "false")
    }

    func testTensors() {
        XCTAssertEqual(evaluate("tensor([[1, 2], [3, 4]]).shape"), "[2, 2]")
        XCTAssertEqual(evaluate("let t = tensor([[1, 2], [3, 4]])\n[t.sum().item(), t.mean().item(), t.max().item(), t.argmax(1).tolist()]"), "[10.0, 2.5, 4.0, [1, 1]]")
        XCTAssertEqual(evaluate("(tensor([[1, 2], [3, 4]]) @ tensor([[1], [1]])).tolist()"), "[[3.0], [7.0]]")
        XCTAssertEqual(evaluate("(tensor([[1, 2], [3, 4]]) + tensor([10, 20])).tolist()"), "[[11.0, 22.0], [13.0, 24.0]]")
        XCTAssertEqual(evaluate("(2 * tensor([1, 2]) - 1).tolist()"), "[1.0, 3.0]")
        XCTAssertEqual(evaluate("(tensor([1, 2]) ** 2 / 2).tolist()"), "[0.5, 2.0]")
        XCTAssertEqual(evaluate("(-tensor([1, -2])).tolist()"), "[-1.0, 2.0]")
        XCTAssertEqual(evaluate("let t = arange(6).reshape([2, 3])\n[t[1].tolist(), t[-1][0].item(), t[0:1].shape, t.transpose(0, 1).shape]"), "[[3.0, 4.0, 5.0], 3.0, [1, 3], [3, 2]]")
        XCTAssertEqual(evaluate("zeros([0, 64]).shape"), "[0, 64]")
        XCTAssertEqual(evaluate("tensor([1, 2]).mean() > 1"), "true")
        XCTAssertEqual(evaluate("tensor([[1, 2]])"), "tensor([[1.0, 2.0]])")
    }

    func testTensorErrors() {
        XCTAssertEqual(errorText("zeros([2, -1])"), """
            <-e>:1:1: error: zeros(): negative size -1 in shape [2, -1]
                zeros([2, -1])
                ^~~~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("tensor([[1, 2], [3]])"), """
            <-e>:1:1: error: tensor(): ragged nested list (rows of different shapes)
                tensor([[1, 2], [3]])
                ^~~~~~~~~~~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("ones([2, 3]) + ones([4])"), """
            <-e>:1:1: error: add: shapes [2, 3] and [4] do not match
                ones([2, 3]) + ones([4])
                ^~~~~~~~~~~~~~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("ones([2]).nope()"), """
            <-e>:1:11: error: a tensor has no member 'nope'
                ones([2]).nope()
                          ^~~~

            """)
    }

    func testGradients() {
        XCTAssertEqual(evaluate("let w = tensor([1, 2, 3]).requires_grad()\nbackward((w * w).sum())\nw.grad.tolist()"), "[2.0, 4.0, 6.0]")
    }

    func testShowPrintsTheSummary() throws {
        let (_, output) = try runRecipe("show(tensor([[1, 2], [3, 6]]))")
        XCTAssertEqual(output, "Tensor [2, 2] float32  min 1  mean 3  max 6  NaN 0\n")
    }

    func testNumPyRoundTrip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gird-\(UUID().uuidString).npy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(evaluate("save_npy(tensor([[1.5, 2], [3, 4]]), \"\(path)\")\nload_npy(\"\(path)\").tolist()"), "[[1.5, 2.0], [3.0, 4.0]]")
        XCTAssertTrue(errorText("load_npy(\"/nonexistent/x.npy\")").contains("error: "))
    }

    func testModels() {
        XCTAssertEqual(evaluate("model(\"resnet8\", classes: 10).params()"), "78042")
        XCTAssertEqual(evaluate("model(\"resnet8x4\").params()"), "1233540")
        XCTAssertEqual(evaluate("\"resnet8x4\" in models()"), "true")
        XCTAssertEqual(evaluate("model(\"resnet8\", classes: 10, in_channels: 1).taps()"),
                       "[\"stem\", \"stage1.preact\", \"stage1\", \"stage2.preact\", \"stage2\", \"stage3.preact\", \"stage3\", \"embedding\", \"logits\"]")
        XCTAssertEqual(evaluate("let m = model(\"resnet8\", classes: 10, in_channels: 1)\nlet x = randn([2, 1, 32, 32])\nlet f = m.features(x)\n[m(x).shape, f[\"stage3\"].shape, f.embedding.shape, (f.logits - m(x)).abs().max().item()]"),
                       "[[2, 10], [2, 64, 8, 8], [2, 64], 0.0]")
    }

    func testWeightsRoundTrip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gird-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(evaluate("""
            seed(1)
            let a = model("resnet8", classes: 10)
            save_weights(a, "\(path)")
            seed(2)
            let b = model("resnet8", classes: 10)
            let x = randn([1, 3, 32, 32])
            let before = (a(x) - b(x)).abs().max().item() > 0
            load_weights(b, "\(path)")
            [before, (a(x) - b(x)).abs().max().item()]
            """), "[true, 0.0]")
    }

    func testRegistryDescribesEveryBuiltin() {
        let names = Set(BuiltinRegistry.all.filter { $0.receiverType == nil }.map(\.name))
        for required in ["print", "len", "range", "str", "int", "float", "min", "max", "sum", "mean", "std", "sorted", "zip",
                         "enumerate", "keys", "grid", "seed", "tensor", "zeros", "ones", "randn", "rand", "load_npy", "save_npy",
                         "backward", "show", "heatmap", "model", "models", "load_weights", "save_weights", "fashion_mnist",
                         "cifar10", "cifar100", "image_folder", "idx", "evaluate"] {
            XCTAssertTrue(names.contains(required), required)
        }
        let tensorMembers = Set(BuiltinRegistry.members(of: "tensor").map(\.name))
        XCTAssertTrue(tensorMembers.isSuperset(of: ["shape", "mean", "sum", "max", "argmax", "reshape", "transpose", "item", "requires_grad", "grad"]))
        XCTAssertEqual(BuiltinRegistry.function(named: "model")?.usage, "model(name, classes: 100, in_channels: 3, head: \"classifier\", last_stride: 2)")
        XCTAssertEqual(BuiltinRegistry.member("subset", of: "dataset")?.usage, "d.subset(n, seed: 0, stratified: true)")
        XCTAssertTrue(BuiltinRegistry.all.allSatisfy { !$0.doc.isEmpty })
        XCTAssertTrue(BuiltinRegistry.markdownTable().contains("| `grid(axes)` |"))
    }
}
