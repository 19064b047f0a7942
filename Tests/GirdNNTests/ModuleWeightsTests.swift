import Foundation
import XCTest
import GirdTensor
@testable import GirdNN

final class ModuleWeightsTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gird-weights-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: folder)
    }

    /// A trained-looking teacher: one training-mode pass moves the batch
    /// norms' running statistics and counts off their initial values.
    private func teacher(classes: Int = 10) throws -> Network {
        let model = try ModelZoo.make("resnet8", classes: classes, generator: RandomGenerator(seed: 1))
        _ = try model(input)
        return model
    }

    private let input = try! Tensor.rand([2, 3, 32, 32], generator: RandomGenerator(seed: 5))

    func testSavedNetworkLoadsIntoAFreshOneWithIdenticalLogits() throws {
        let source = try teacher()
        let path = folder + "/resnet8.safetensors"
        try source.saveWeights(to: path, metadata: ["epoch": "3"])
        XCTAssertEqual(try SafeTensors.metadata(contentsOf: path), ["format": "pt", "epoch": "3"])

        let copy = try ModelZoo.make("resnet8", classes: 10, generator: RandomGenerator(seed: 2))
        source.eval()
        copy.eval()
        XCTAssertNotEqual(try copy(input).toArray(), try source(input).toArray(), "different seeds differ before loading")
        let parametersBefore = copy.parameters
        try copy.loadWeights(contentsOf: path)

        XCTAssertEqual(try copy(input).toArray(), try source(input).toArray())
        XCTAssertTrue(zip(parametersBefore, copy.parameters).allSatisfy { $0 === $1 }, "parameters keep their identity")
        XCTAssertTrue(copy.parameters.allSatisfy(\.requiresGrad))
        for ((name, loaded), (_, original)) in zip(copy.stateDictionary(), source.stateDictionary()) {
            XCTAssertEqual(loaded.dtype, original.dtype, name)
            XCTAssertEqual(loaded.toArray(), original.toArray(), name)
        }
        let tracked = copy.stateDictionary().first { $0.name == "layer1.0.bn2.num_batches_tracked" }!.tensor
        XCTAssertEqual(tracked.dtype, .int64)
        XCTAssertEqual(tracked.toIndices(), [1])
    }

    func testMismatchedTensorsAreAllReportedAndNothingIsLoaded() throws {
        var tensors = Dictionary(uniqueKeysWithValues: try teacher().stateDictionary().map { ($0.name, $0.tensor) })
        tensors["fc.bias"] = nil
        tensors["layer1.0.conv1.weight"] = nil
        tensors["head.weight"] = Tensor.zeros([10, 64])
        tensors["aux.bias"] = Tensor.zeros([10])
        tensors["fc.weight"] = Tensor.zeros([100, 64])
        tensors["bn1.running_mean"] = Tensor.zeros([16, 1])
        tensors["bn1.num_batches_tracked"] = Tensor(0.5)

        let model = try ModelZoo.make("resnet8", classes: 10, generator: RandomGenerator(seed: 2))
        let before = model.stateDictionary().map { $0.tensor.toArray() }
        assertThrows(try model.loadStateDictionary(tensors), """
            cannot load the state dictionary into resnet8: 2 missing, 2 unexpected, 2 mis-shaped, 1 of the wrong type
              missing: layer1.0.conv1.weight, fc.bias
              unexpected: aux.bias, head.weight
              mis-shaped: bn1.running_mean is [16] in the model but [16, 1] in the weights
              mis-shaped: fc.weight is [10, 64] in the model but [100, 64] in the weights
              wrong type: bn1.num_batches_tracked is int64 in the model, but the weights hold float32 values such as 0.5, not whole numbers
            """)
        XCTAssertEqual(model.stateDictionary().map { $0.tensor.toArray() }, before, "the model is unchanged")
    }

    func testAWeightsFileForAnotherHeadNamesTheFile() throws {
        let path = folder + "/teacher.safetensors"
        try teacher(classes: 10).saveWeights(to: path)
        let model = try ModelZoo.make("resnet8", classes: 100)
        let before = model.stateDictionary().map { $0.tensor.toArray() }
        assertThrows(try model.loadWeights(contentsOf: path), """
            cannot load weights from \(path) into resnet8: 2 mis-shaped
              mis-shaped: fc.weight is [100, 64] in the model but [10, 64] in the weights
              mis-shaped: fc.bias is [100] in the model but [10] in the weights
            """)
        XCTAssertEqual(model.stateDictionary().map { $0.tensor.toArray() }, before)
        let missing = folder + "/none.safetensors"
        assertThrows(try model.loadWeights(contentsOf: missing), "\(missing): cannot open: No such file or directory")
    }

    func testDataParallelPrefixGetsAHint() throws {
        let model = try BatchNorm(2)
        let tensors = Dictionary(uniqueKeysWithValues: model.stateDictionary().map { ("module." + $0.name, $0.tensor) })
        assertThrows(try model.loadStateDictionary(tensors), """
            cannot load the state dictionary into BatchNorm: 5 missing, 5 unexpected
              missing: weight, bias, running_mean, running_var, num_batches_tracked
              unexpected: module.bias, module.num_batches_tracked, module.running_mean, module.running_var, module.weight
              hint: the weights' keys start with 'module.' (saved from nn.DataParallel?); strip that prefix, as scripts/pytorch-to-safetensors.py does
            """)
    }

    /// PyTorch checkpoints converted through NumPy or old tools may hold
    /// num_batches_tracked as a float, or weights as integers.
    func testIntegralValuesConvertBetweenTypes() throws {
        let model = try BatchNorm(2)
        try model.loadStateDictionary([
            "weight": try Tensor(shape: [2], indices: [3, -1]),
            "bias": try Tensor(shape: [2], values: [0.5, 0.25]),
            "running_mean": try Tensor(shape: [2], values: [1, 2]),
            "running_var": try Tensor(shape: [2], values: [4, 9]),
            "num_batches_tracked": Tensor(12),
        ])
        XCTAssertEqual(model.weight.dtype, .float32)
        XCTAssertEqual(model.weight.toArray(), [3, -1])
        XCTAssertEqual(model.bias.toArray(), [0.5, 0.25])
        XCTAssertEqual(model.runningVariance.toArray(), [4, 9])
        XCTAssertEqual(model.batchesTracked.dtype, .int64)
        XCTAssertEqual(model.batchesTracked.toIndices(), [12])
    }

    /// Writes what scripts/check-weights-in-pytorch.py reads, when a
    /// developer asks for it:
    ///
    ///     GIRD_EXPORT_DIR=/tmp/gird-export swift test --filter ModuleWeightsTests/testExportForPyTorch
    ///     /usr/bin/python3 scripts/check-weights-in-pytorch.py /tmp/gird-export
    func testExportForPyTorch() throws {
        let directory = ProcessInfo.processInfo.environment["GIRD_EXPORT_DIR"] ?? folder!
        let model = try teacher()
        model.eval()
        try model.saveWeights(to: directory + "/resnet8.safetensors", metadata: ["model": "resnet8", "classes": "10"])
        try NumPyFile.save(input, to: directory + "/input.npy")
        try NumPyFile.save(try model(input), to: directory + "/logits.npy")
        XCTAssertEqual(try NumPyFile.load(contentsOf: directory + "/logits.npy").shape, [2, 10])
    }

    /// Loads a resnet8 `state_dict` that PyTorch's side wrote (see
    /// PyTorchExport/README.md) and compares GIRD's eval-mode logits with
    /// PyTorch's: relative to the largest logit, 1e-4 is far above float32
    /// rounding through 8 layers (~1e-6) and far below a wrong weight (O(1)).
    func testImportFromPyTorch() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("PyTorchExport").path
        let model = try ModelZoo.make("resnet8", classes: 10)
        try model.loadWeights(contentsOf: directory + "/weights.safetensors")
        model.eval()
        let logits = try model(try NumPyFile.load(contentsOf: directory + "/input.npy")).toArray()
        let expected = try NumPyFile.load(contentsOf: directory + "/logits.npy").toArray()
        XCTAssertEqual(logits.count, expected.count)
        let difference = zip(logits, expected).map { abs($0 - $1) }.max() ?? 0
        let scale = expected.map { abs($0) }.max() ?? 1
        XCTAssertLessThan(difference / scale, 1e-4, "largest logit difference, GIRD vs PyTorch")
    }

    private func assertThrows<T>(_ body: @autoclosure () throws -> T, _ expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertEqual("\(error)", expected, line: line)
        }
    }
}
