import XCTest
import GirdTensor
@testable import GirdData

final class AugmentationTests: XCTestCase {
    /// One channel, 3x3, pixels 1...9 row by row.
    let image: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]

    func testRandomCropPadsWithZerosAndCutsAtTheDrawnCorner() throws {
        // Seed 4, offset 0: nextInt(below: 3) gives top 0, then left 2.
        let probe = RandomGenerator(seed: 4)
        XCTAssertEqual([probe.nextInt(below: 3), probe.nextInt(below: 3)], [0, 2])
        // Padded by 1 the image is 5x5:
        //   0 0 0 0 0
        //   0 1 2 3 0
        //   0 4 5 6 0
        //   0 7 8 9 0
        //   0 0 0 0 0
        // and the 3x3 window at row 0, column 2 is rows 0-2, columns 2-4.
        let crop = Augmentation.randomCrop(size: 3, padding: 1)
        XCTAssertEqual(try crop.outputShape(for: [1, 3, 3]), [1, 3, 3])
        let generator = RandomGenerator(seed: 4)
        XCTAssertEqual(crop.apply(to: image, shape: [1, 3, 3], using: generator), [0, 0, 0, 2, 3, 0, 5, 6, 0])
        XCTAssertEqual(generator.state.offset, 4, "a crop takes two words for each of its two draws")
        // Seed 5: top 2, left 2, the bottom-right window: 5 6 0 / 8 9 0 / 0 0 0.
        XCTAssertEqual(crop.apply(to: image, shape: [1, 3, 3], using: RandomGenerator(seed: 5)), [5, 6, 0, 8, 9, 0, 0, 0, 0])
    }

    func testCropToASmallerSizeAndOneThatDoesNotFit() throws {
        // 2x2 out of 3x3 without padding: corners in 0..<2; seed 4 draws
        // nextInt(below: 2) twice.
        let probe = RandomGenerator(seed: 4)
        let (top, left) = (probe.nextInt(below: 2), probe.nextInt(below: 2))
        let expected: [UInt8] = [image[top * 3 + left], image[top * 3 + left + 1],
                                 image[(top + 1) * 3 + left], image[(top + 1) * 3 + left + 1]]
        let crop = Augmentation.randomCrop(size: 2, padding: 0)
        XCTAssertEqual(try crop.outputShape(for: [1, 3, 3]), [1, 2, 2])
        XCTAssertEqual(crop.apply(to: image, shape: [1, 3, 3], using: RandomGenerator(seed: 4)), expected)
        XCTAssertThrowsError(try Augmentation.randomCrop(size: 6, padding: 1).outputShape(for: [1, 3, 3])) { error in
            XCTAssertEqual("\(error)", "randomCrop: a 6x6 crop does not fit a 3x3 image padded by 1")
        }
    }

    func testHorizontalFlipMirrorsEachRowOfEachChannel() {
        // Two channels of 2x3: 1 2 3 / 4 5 6 and 10 20 30 / 40 50 60.
        let pixels: [UInt8] = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]
        let flip = Augmentation.horizontalFlip(probability: 0.5)
        // Seed 4's first word is 0.1324 as a uniform: below 0.5, flipped.
        XCTAssertEqual(RandomGenerator(seed: 4).nextUniform(), 0.13243026)
        XCTAssertEqual(flip.apply(to: pixels, shape: [2, 2, 3], using: RandomGenerator(seed: 4)),
                       [3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40])
        // Seed 1's is 0.8903: kept as it is.
        XCTAssertEqual(flip.apply(to: pixels, shape: [2, 2, 3], using: RandomGenerator(seed: 1)), pixels)
        // Probabilities 0 and 1 never and always flip.
        XCTAssertEqual(Augmentation.horizontalFlip(probability: 0).apply(to: pixels, shape: [2, 2, 3], using: RandomGenerator(seed: 4)), pixels)
        XCTAssertEqual(Augmentation.horizontalFlip(probability: 1).apply(to: pixels, shape: [2, 2, 3], using: RandomGenerator(seed: 1)),
                       [3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40])
    }

    func testEachTransformOfEachPositionDrawsFromItsOwnSlice() {
        // Position 3 with [crop, flip]: the crop starts at word (3·2 + 0)·8 = 48,
        // the flip at (3·2 + 1)·8 = 56.
        let transforms: [Augmentation] = [.randomCrop(size: 3, padding: 1), .horizontalFlip(probability: 0.5)]
        let crop = transforms[0].apply(to: image, shape: [1, 3, 3], using: RandomGenerator(state: .init(seed: 9, offset: 48)))
        let both = transforms[1].apply(to: crop, shape: [1, 3, 3], using: RandomGenerator(state: .init(seed: 9, offset: 56)))
        let result = Augmentation.apply(transforms, to: image, shape: [1, 3, 3], seed: 9, position: 3)
        XCTAssertEqual(result.pixels, both)
        XCTAssertEqual(result.shape, [1, 3, 3])
    }
}

/// Random erasing (torchvision's `RandomErasing` draws, our stream).
final class RandomErasingTests: XCTestCase {
    func testErasesOneRectangleOfTheDrawnSizeWithTheFill() {
        let shape = [3, 20, 30]
        let image = (0..<(3 * 20 * 30)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let fill: [UInt8] = [124, 116, 104]
        let erasing = Augmentation.randomErasing(probability: 1, scale: 0.02...0.33, ratio: 0.3...3.3, fill: fill)
        var erasedSomething = 0
        for seed in 0..<40 as Range<UInt64> {
            let generator = RandomGenerator(seed: seed)
            let output = erasing.apply(to: image, shape: shape, using: generator)
            // The draws replayed: p's word, then the tries from a key, as torchvision's get_params.
            let replay = RandomGenerator(seed: seed)
            _ = replay.nextUniform()
            let tries = RandomGenerator(seed: replay.next())
            var expected: (top: Int, left: Int, h: Int, w: Int)?
            for _ in 0..<10 {
                let area = 600 * (0.02 + 0.31 * Double(tries.nextUniform()))
                let aspect = exp(log(0.3) + (log(3.3) - log(0.3)) * Double(tries.nextUniform()))
                let h = Int((area * aspect).squareRoot().rounded(.toNearestOrEven))
                let w = Int((area / aspect).squareRoot().rounded(.toNearestOrEven))
                if h < 20 && w < 30 {
                    expected = (tries.nextInt(below: 20 - h + 1), tries.nextInt(below: 30 - w + 1), h, w)
                    break
                }
            }
            guard let box = expected else { XCTAssertEqual(output, image); continue }
            erasedSomething += 1
            for c in 0..<3 {
                for y in 0..<20 {
                    for x in 0..<30 {
                        let at = (c * 20 + y) * 30 + x
                        let inside = y >= box.top && y < box.top + box.h && x >= box.left && x < box.left + box.w
                        XCTAssertEqual(output[at], inside ? fill[c] : image[at])
                    }
                }
            }
        }
        XCTAssertGreaterThan(erasedSomething, 30)
        let never = Augmentation.randomErasing(probability: 0, scale: 0.02...0.33, ratio: 0.3...3.3, fill: fill)
        XCTAssertEqual(never.apply(to: image, shape: shape, using: RandomGenerator(seed: 1)), image)
        XCTAssertThrowsError(try Augmentation.randomErasing(probability: 0.5, scale: 0.02...0.33, ratio: 0.3...3.3, fill: [1])
            .outputShape(for: shape))
    }
}
