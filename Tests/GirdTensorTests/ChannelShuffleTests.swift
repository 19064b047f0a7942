import CDNNL
import XCTest
@testable import GirdTensor

final class ChannelShuffleTests: XCTestCase {
    // MARK: Values worked out by hand

    func testShuffleByHand() throws {
        // Channels 0...5 as a 2 x 3 grid [[0, 1, 2], [3, 4, 5]], transposed.
        let x = try Tensor(shape: [1, 6, 1, 1], values: [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try x.channelShuffled(groups: 2).toArray(), [0, 3, 1, 4, 2, 5])
        // As a 3 x 2 grid [[0, 1], [2, 3], [4, 5]], transposed.
        XCTAssertEqual(try x.channelShuffled(groups: 3).toArray(), [0, 2, 4, 1, 3, 5])
        // One group, or as many groups as channels, changes nothing.
        XCTAssertEqual(try x.channelShuffled(groups: 1).toArray(), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try x.channelShuffled(groups: 6).toArray(), [0, 1, 2, 3, 4, 5])
    }

    func testShuffleMovesWholeChannelPlanesPerImage() throws {
        // 2 images x 4 channels x 2 positions; image n, channel c, position p holds 100n + 10c + p.
        let values: [Float] = (0..<16).map { (index: Int) -> Float in
            let (image, channel, position) = (index / 8, index / 2 % 4, index % 2)
            return Float(100 * image + 10 * channel + position)
        }
        let x = try Tensor(shape: [2, 4, 1, 2], values: values)
        XCTAssertEqual(try x.channelShuffled(groups: 2).toArray(),
                       [0, 1, 20, 21, 10, 11, 30, 31, 100, 101, 120, 121, 110, 111, 130, 131])
    }

    func testConcatenateAndShuffleByHand() throws {
        let a = try Tensor(shape: [1, 2, 1, 1], values: [1, 2])
        let b = try Tensor(shape: [1, 2, 1, 1], values: [3, 4])
        let c = try Tensor(shape: [1, 1, 1, 1], values: [5])
        XCTAssertEqual(try Tensor.concatenatedChannels([a, b, c]).toArray(), [1, 2, 3, 4, 5])
        // ShuffleNet V2: concatenating two halves and shuffling in 2 groups interleaves them.
        XCTAssertEqual(try Tensor.concatenatedChannels([a, b], shuffleGroups: 2).toArray(), [1, 3, 2, 4])
        XCTAssertEqual(try Tensor.concatenatedChannels([a, Tensor.zeros([1, 0, 1, 1]), b]).toArray(), [1, 2, 3, 4])
    }

    func testSplitByHand() throws {
        let x = try Tensor(shape: [2, 3, 1, 1], values: [0, 1, 2, 10, 11, 12])
        let parts = try x.splitChannels([1, 2])
        XCTAssertEqual(parts.map(\.shape), [[2, 1, 1, 1], [2, 2, 1, 1]])
        XCTAssertEqual(parts[0].toArray(), [0, 10])
        XCTAssertEqual(parts[1].toArray(), [1, 2, 11, 12])
        let whole = try x.splitChannels([0, 3])
        XCTAssertEqual(whole[0].shape, [2, 0, 1, 1])
        XCTAssertTrue(whole[1] === x)
    }

    // MARK: Every layout against the reshape-permute definition

    /// PyTorch's definition, through the plain ops.
    private func referenceShuffle(_ x: Tensor, groups: Int) throws -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return try x.reshaped([n, groups, c / groups, h, w]).permuted([0, 2, 1, 3, 4]).reshaped([n, c, h, w])
    }

    /// The layouts activations arrive in: plain, oneDNN's channel blocks of
    /// 16, 8 and 4 (grouped convolutions choose the narrow ones) and NHWC.
    private let tags: [(String, dnnl_format_tag_t?)] = [
        ("plain", nil), ("nChw16c", dnnl_nChw16c), ("nChw8c", dnnl_nChw8c), ("nChw4c", dnnl_nChw4c), ("nhwc", dnnl_nhwc),
    ]

    private func laidOut(_ x: Tensor, _ tag: dnnl_format_tag_t?) -> Tensor {
        guard let tag else { return x }
        return DNNLReorder.toFormat(x, .tagged(x.shape, tag))
    }

    func testEveryLayoutAgreesWithDefinitionAndLandsInPreferredLayout() throws {
        defer { ActivationLayout.preferred = ActivationLayout.machineDefault }
        for preferred in ActivationLayout.allCases {
            ActivationLayout.preferred = preferred
            // ShuffleV1's 60 = 3 x 20 (not a multiple of any block) and ShuffleV2's 116 = 2 x 58.
            for (channels, groups) in [(60, 3), (116, 2), (32, 2)] {
                let x = uniformTensor([2, channels, 3, 5], seed: UInt64(channels))
                let expected = try referenceShuffle(x, groups: groups).toArray()
                for (name, tag) in tags {
                    let input = laidOut(x, tag)
                    let shuffled = try input.channelShuffled(groups: groups)
                    XCTAssertEqual(shuffled.toArray(), expected, "\(name), \(preferred), C = \(channels)")
                    if tag == nil {
                        XCTAssertFalse(shuffled.isBlocked, "plain in, plain out")
                    } else {
                        let format = DNNLFormat.tagged(x.shape, preferred.normalizationTag)
                        guard case let .blocked(actual) = shuffled.layout else { return XCTFail("\(name): plain result") }
                        XCTAssertTrue(actual == format, "\(name) -> \(preferred)")
                        // Padding channels of a blocked result stay zero, as the element-wise ops assume.
                        let buffer = UnsafeBufferPointer(start: shuffled.rawFloats, count: shuffled.bufferFloatCount)
                        XCTAssertEqual(buffer.reduce(0) { $0 + abs($1) }, expected.reduce(0) { $0 + abs($1) }, accuracy: 1e-2)
                    }
                }
            }
        }
    }

    func testConcatenationAndSplitAgreeWithPlainOpsInEveryLayout() throws {
        let a = uniformTensor([2, 58, 4, 4], seed: 1), b = uniformTensor([2, 24, 4, 4], seed: 2)
        let joined = try Tensor.concatenated([a, b], axis: 1)
        for (nameA, tagA) in tags {
            for (nameB, tagB) in tags {
                let result = try Tensor.concatenatedChannels([laidOut(a, tagA), laidOut(b, tagB)], shuffleGroups: 2)
                XCTAssertEqual(result.toArray(), try referenceShuffle(joined, groups: 2).toArray(), "\(nameA) + \(nameB)")
            }
            let parts = try laidOut(joined, tagA).splitChannels([58, 24])
            XCTAssertEqual(parts[0].toArray(), a.toArray(), nameA)
            XCTAssertEqual(parts[1].toArray(), b.toArray(), nameA)
        }
    }

    func testEveryBoundaryInsideABlockAndEverySpatialSize() throws {
        // The blocked kernel copies whole vectors when a block's lanes are
        // runs of consecutive source channels, and reads around the runs;
        // every split point of 40 channels (runs of every length, at every
        // offset), at spatial sizes where the first and last positions are
        // the same or adjacent, must give the plain ops' values.
        for (height, width) in [(1, 1), (1, 2), (2, 2), (3, 5)] {
            let x = uniformTensor([2, 40, height, width], seed: UInt64(height * 10 + width))
            let blocked = laidOut(x, dnnl_nChw16c)
            for split in 0...40 {
                let parts = try blocked.splitChannels([split, 40 - split])
                XCTAssertEqual(parts[0].toArray(), try x.narrowed(axis: 1, start: 0, length: split).toArray(), "\(split), \(height)x\(width)")
                XCTAssertEqual(parts[1].toArray(), try x.narrowed(axis: 1, start: split, length: 40 - split).toArray(), "\(split)")
                let joined = try Tensor.concatenatedChannels([parts[1], parts[0]])
                let expected = try Tensor.concatenated([x.narrowed(axis: 1, start: split, length: 40 - split),
                                                        x.narrowed(axis: 1, start: 0, length: split)], axis: 1)
                XCTAssertEqual(joined.toArray(), expected.toArray(), "\(split), \(height)x\(width)")
            }
        }
    }

    // MARK: Gradients against central differences

    func testShuffleGradient() throws {
        try assertGradientsMatch([uniformTensor([2, 6, 2, 3], seed: 3)]) { try $0[0].channelShuffled(groups: 3) }
    }

    func testConcatenateAndShuffleGradient() throws {
        let inputs = [uniformTensor([2, 3, 2, 2], seed: 4), uniformTensor([2, 5, 2, 2], seed: 5)]
        try assertGradientsMatch(inputs) { try Tensor.concatenatedChannels($0, shuffleGroups: 2) }
        try assertGradientsMatch(inputs) { try Tensor.concatenatedChannels($0) }
    }

    func testSplitGradient() throws {
        // Both parts feed the loss, differently: each must send its gradient
        // to its own channels only.
        try assertGradientsMatch([uniformTensor([2, 5, 2, 2], seed: 6)]) { xs in
            let parts = try xs[0].splitChannels([2, 3])
            return try Tensor.concatenatedChannels([parts[1] * 3, parts[0].square()])
        }
    }

    func testGradientsThroughBlockedLayouts() throws {
        // The backward gathers from a blocked gradient into blocked results;
        // a blocked copy on the tape routes the check through that path.
        for (_, tag) in tags.dropFirst() {
            try assertGradientsMatch([uniformTensor([2, 20, 2, 3], seed: 7)]) { xs in
                let blocked = self.laidOut(xs[0].detach(), tag).recorded("toLayout", [xs[0]]) { g in [g.plain()] }
                let (kept, branch) = try { let p = try blocked.splitChannels([10, 10]); return (p[0], p[1]) }()
                return try Tensor.concatenatedChannels([kept, branch.relu()], shuffleGroups: 2).channelShuffled(groups: 4)
            }
        }
    }

    // MARK: Bad input

    func testErrors() throws {
        XCTAssertThrowsError(try Tensor.zeros([1, 6, 2, 2]).channelShuffled(groups: 4)) { error in
            XCTAssertEqual("\(error)", "channelShuffle: 6 channels do not split into 4 groups")
        }
        XCTAssertThrowsError(try Tensor.zeros([6, 2]).channelShuffled(groups: 2)) { error in
            XCTAssertEqual("\(error)", "channelShuffle: expected a 4-D [N, C, H, W] input, got [6, 2]")
        }
        XCTAssertThrowsError(try Tensor.concatenatedChannels([Tensor.zeros([1, 2, 2, 2]), Tensor.zeros([1, 2, 2, 3])])) { error in
            XCTAssertEqual("\(error)", "concatenateChannels: shapes [1, 2, 2, 2] and [1, 2, 2, 3] differ outside dimension 1")
        }
        XCTAssertThrowsError(try Tensor.concatenatedChannels([])) { error in
            XCTAssertEqual("\(error)", "concatenateChannels: needs at least one tensor")
        }
        XCTAssertThrowsError(try Tensor.zeros([1, 5, 2, 2]).splitChannels([2, 2])) { error in
            XCTAssertEqual("\(error)", "splitChannels: sizes [2, 2] do not add up to the 5 channels of [1, 5, 2, 2]")
        }
        XCTAssertThrowsError(try Tensor.zeros([1, 4, 1, 1], dtype: .int64).channelShuffled(groups: 2)) { error in
            XCTAssertEqual(error as? TensorError, .dtypeMismatch(op: "channelShuffle", expected: .float32, got: .int64))
        }
    }
}
