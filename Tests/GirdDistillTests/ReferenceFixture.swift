import Foundation
import XCTest
import GirdDistill
import GirdNN
import GirdTensor

/// One case written by `scripts/make-distill-fixtures` (see
/// `scripts/distill_reference/common.py` for the file names): the inputs a
/// method saw, its module weights, the reference loss and gradients.
struct ReferenceFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    let method: String
    let name: String
    let inputs: [String: Tensor]
    let weights: [String: Tensor]
    let gradients: [String: Tensor]
    let outputs: [String: Tensor]
    let loss: Float
    let config: [String: Any]

    /// Every case of `method`, sorted by name.
    static func cases(of method: String) throws -> [ReferenceFixture] {
        let directory = root.appendingPathComponent(method)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertFalse(names.isEmpty, "no fixtures for \(method): run scripts/make-distill-fixtures \(method)")
        return try names.map { try ReferenceFixture(method: method, name: $0) }
    }

    init(method: String, name: String) throws {
        self.method = method
        self.name = name
        let directory = Self.root.appendingPathComponent(method).appendingPathComponent(name)
        var groups: [String: [String: Tensor]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".npy") {
            let stem = String(file.dropLast(4))
            guard let dot = stem.firstIndex(of: ".") else { continue }
            let tensor = try NumPyFile.load(contentsOf: directory.appendingPathComponent(file).path)
            groups[String(stem[..<dot]), default: [:]][String(stem[stem.index(after: dot)...])] = tensor
        }
        inputs = groups["input"] ?? [:]
        weights = groups["weight"] ?? [:]
        gradients = groups["grad"] ?? [:]
        outputs = groups["output"] ?? [:]
        loss = try NumPyFile.load(contentsOf: directory.appendingPathComponent("loss.npy").path).toArray()[0]
        let json = try Data(contentsOf: directory.appendingPathComponent("config.json"))
        config = (try JSONSerialization.jsonObject(with: json) as? [String: Any]) ?? [:]
    }

    var label: String { "\(method)/\(name)" }

    /// The input `name` as a fresh leaf that records gradients when the
    /// reference has a gradient for it.
    func input(_ name: String) throws -> Tensor {
        guard let tensor = inputs[name] else { throw FixtureError.missing("\(label): input.\(name).npy") }
        let copy = tensor.detach()
        return gradients[name] != nil ? try copy.requiringGrad() : copy
    }

    func float(_ key: String) throws -> Float {
        guard let value = config[key] as? NSNumber else { throw FixtureError.missing("\(label): config '\(key)'") }
        return value.floatValue
    }

    func int(_ key: String) throws -> Int {
        guard let value = config[key] as? NSNumber else { throw FixtureError.missing("\(label): config '\(key)'") }
        return value.intValue
    }

    func string(_ key: String) throws -> String {
        guard let value = config[key] as? String else { throw FixtureError.missing("\(label): config '\(key)'") }
        return value
    }

    /// The set-up a method builds from when its taps are fixture tensors
    /// (named taps to tensors, shapes taken from them; 2 classes, no dataset).
    static func setup(student: [(String, Tensor)], teacher: [(String, Tensor)]) -> DistillationSetup {
        DistillationSetup(studentShapes: Dictionary(uniqueKeysWithValues: student.map { ($0.0, $0.1.shape) }),
                          teacherShapes: Dictionary(uniqueKeysWithValues: teacher.map { ($0.0, $0.1.shape) }),
                          classes: 2, trainingSetSize: 1, generator: RandomGenerator(seed: 0))
    }

    /// Loads the fixture's weights that start with `prefix` into `module`
    /// (strictly: every parameter and buffer of the module must be there).
    func loadWeights(into module: Module, prefix: String = "") throws {
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in weights where name.hasPrefix(prefix) { tensors[String(name.dropFirst(prefix.count))] = tensor }
        try module.loadStateDictionary(tensors)
    }

    /// Checks `loss` (already computed from `leaves`, by input name) against
    /// the reference, runs backward, and checks each leaf's gradient: within
    /// `tolerance` relative to the largest reference magnitude of the tensor.
    func check(loss value: Tensor, leaves: [String: Tensor], tolerance: Float = 1e-5,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let got = try value.item()
        XCTAssertEqual(got, loss, accuracy: tolerance * max(abs(loss), 1e-6), "\(label): loss", file: file, line: line)
        guard !gradients.isEmpty else { return }
        try value.backward()
        for (name, expected) in gradients.sorted(by: { $0.key < $1.key }) {
            guard let leaf = leaves[name] else {
                XCTFail("\(label): the test did not pass input '\(name)'", file: file, line: line)
                continue
            }
            guard let gradient = leaf.grad else {
                XCTFail("\(label): no gradient reached '\(name)'", file: file, line: line)
                continue
            }
            Self.assertClose(gradient, expected, tolerance: tolerance, "\(label): grad \(name)", file: file, line: line)
        }
    }

    static func assertClose(_ got: Tensor, _ expected: Tensor, tolerance: Float, _ message: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.shape, expected.shape, message, file: file, line: line)
        let a = got.toArray(), b = expected.toArray()
        guard a.count == b.count else { return }
        let scale = max(b.map(abs).max() ?? 0, 1e-12)
        var worst: Float = 0, worstIndex = 0
        for index in a.indices where abs(a[index] - b[index]) > worst || a[index].isNaN {
            worst = a[index].isNaN ? .infinity : abs(a[index] - b[index])
            worstIndex = index
        }
        XCTAssertLessThanOrEqual(worst / scale, tolerance,
                                 "\(message): element \(worstIndex) is \(a.isEmpty ? 0 : a[worstIndex]), expected \(b.isEmpty ? 0 : b[worstIndex])",
                                 file: file, line: line)
    }
}

enum FixtureError: Error {
    case missing(String)
}
