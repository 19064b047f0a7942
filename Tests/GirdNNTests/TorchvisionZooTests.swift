import XCTest
import GirdTensor
@testable import GirdNN

/// torchvision's ImageNet networks in the zoo: their `state_dict` (names,
/// shapes, order) and parameter counts are torchvision 0.14's, so weights
/// move between the two with `strict=True`. Their outputs are checked
/// against torchvision itself in `PyTorchCrossCheckTests`.
final class TorchvisionZooTests: XCTestCase {
    /// `len(state_dict())`, `sum(p.numel() for p in parameters())` at 1000
    /// and at 10 classes, and FNV-1a 64 of the lines "name [shape]\n" of the
    /// whole `state_dict` in order, all printed by torchvision 0.14
    /// (`torchvision.models.resnet18()` ...; the hash as
    /// `scripts/zoo_reference.py`'s `fnv1a64`).
    static let torchvision: [String: (keys: Int, parameters: Int, parametersAt10: Int, layout: UInt64)] = [
        "tv_resnet18": (122, 11_689_512, 11_181_642, 0x5b63_edfa_52a4_4602),
        "tv_resnet34": (218, 21_797_672, 21_289_802, 0x9694_acdc_b89c_5faa),
        "tv_resnet50": (320, 25_557_032, 23_528_522, 0x7423_ad1c_a268_4dc6),
        "tv_mobilenet_v2": (314, 3_504_872, 2_236_682, 0x541a_36e4_f237_822f),
    ]

    func testStateDictionariesAreTorchvisions() throws {
        for (name, expected) in Self.torchvision {
            let model = try ModelZoo.make(name)
            XCTAssertEqual(model.classes, 1000, "\(name): ImageNet's classes by default")
            let entries = model.stateDictionary()
            XCTAssertEqual(entries.count, expected.keys, name)
            XCTAssertEqual(model.parameterCount, expected.parameters, name)
            let layout = entries.map { "\($0.name) \($0.tensor.shape)\n" }.joined()
            XCTAssertEqual(String(FixtureHash.fnv1a(layout), radix: 16), String(expected.layout, radix: 16),
                           "\(name): state_dict names, shapes or order differ from torchvision's")
            XCTAssertEqual(try ModelZoo.make(name, classes: 10).parameterCount, expected.parametersAt10, name)
        }
    }

    func testTheCIFARZooKeepsItsDefaultOf100Classes() throws {
        XCTAssertEqual(try ModelZoo.make("resnet8").classes, 100)
        XCTAssertEqual(ModelZoo.defaultClasses("ResNet18"), 100)
        XCTAssertEqual(ModelZoo.defaultClasses("tv_resnet18"), 1000)
    }

    /// At 224x224 the taps have torchvision's shapes: strides 4, 4, 8, 16, 32.
    func testTapShapesAt224() throws {
        let model = try ModelZoo.make("tv_resnet18", classes: 10)
        model.eval()
        let x = try Tensor.randn([1, 3, 224, 224], generator: RandomGenerator(seed: 1))
        let output = try GradMode.withoutGradient { try model.forward(x, taps: model.tapNames) }
        let shapes = output.features.mapValues(\.shape)
        XCTAssertEqual(shapes["stem"], [1, 64, 56, 56])
        XCTAssertEqual(shapes["stage1"], [1, 64, 56, 56])
        XCTAssertEqual(shapes["stage2.preact"], [1, 128, 28, 28])
        XCTAssertEqual(shapes["stage3"], [1, 256, 14, 14])
        XCTAssertEqual(shapes["stage4"], [1, 512, 7, 7])
        XCTAssertEqual(shapes["embedding"], [1, 512])
        XCTAssertEqual(shapes["logits"], [1, 10])

        let mobile = try ModelZoo.make("tv_mobilenet_v2", classes: 10)
        mobile.eval()
        let taps = try GradMode.withoutGradient { try mobile.forward(x, taps: mobile.tapNames) }.features.mapValues(\.shape)
        XCTAssertEqual(taps["stem"], [1, 32, 112, 112])
        XCTAssertEqual(taps["stage1"], [1, 24, 56, 56])
        XCTAssertEqual(taps["stage2"], [1, 32, 28, 28])
        XCTAssertEqual(taps["stage3"], [1, 96, 14, 14])
        XCTAssertEqual(taps["stage4"], [1, 1280, 7, 7])
        XCTAssertEqual(taps["embedding"], [1, 1280])
    }

    /// tv_mobilenet_v2's classifier drops 20% of the embedding in training
    /// mode, scaling the rest by 1/0.8; a training loop's step key makes the
    /// mask a function of (seed, step, rank), the same on every run.
    func testDropoutFollowsTheStepKey() throws {
        let dropout = try Dropout(probability: 0.2, generator: RandomGenerator(seed: 3))
        let x = Tensor.ones([4, 1000])
        dropout.eval()
        XCTAssertEqual(try dropout(x).toArray(), x.toArray())
        dropout.train()
        dropout.stepKey = Dropout.stepKey(seed: 7, step: 12, rank: 0)
        let first = try dropout(x).toArray()
        XCTAssertEqual(try dropout(x).toArray(), first, "the same step key gives the same mask")
        let kept = first.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 4000, 0.8, accuracy: 0.03)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1.25) < 1e-6 })
        dropout.stepKey = Dropout.stepKey(seed: 7, step: 13, rank: 0)
        XCTAssertNotEqual(try dropout(x).toArray(), first, "another step draws another mask")
        dropout.stepKey = Dropout.stepKey(seed: 7, step: 12, rank: 1)
        XCTAssertNotEqual(try dropout(x).toArray(), first, "another rank draws another mask")
        XCTAssertTrue(try ModelZoo.make("tv_mobilenet_v2", classes: 10).hasDropout)
        XCTAssertFalse(try ModelZoo.make("tv_resnet18", classes: 10).hasDropout)
    }
}
