import Foundation
import GirdTensor

/// A random transform of one image's bytes, with torchvision's semantics,
/// applied before the bytes become floats (and before normalisation).
///
/// Each transform of an image draws from its own fixed slice of a Philox
/// stream, `wordsPerTransform` words long: the random numbers an image gets
/// depend only on where its slice is (see `Augmentation.apply(_:to:shape:seed:position:)`),
/// never on which thread decodes it or how images are grouped into batches.
public enum Augmentation: Equatable, Sendable, Codable {
    /// `transforms.RandomCrop(size, padding=padding)`: zero padding on all
    /// four sides, then a `size`x`size` window whose top-left corner is
    /// uniform over the padded image: top first, then left, each
    /// `nextInt(below: paddedSide - size + 1)` (two words each).
    case randomCrop(size: Int, padding: Int)
    /// `transforms.RandomHorizontalFlip(p)`: the image is mirrored left to
    /// right when `nextUniform() < probability` (one word).
    case horizontalFlip(probability: Float)
    /// `transforms.RandomResizedCrop(size, scale, ratio)` with its bilinear
    /// resize (`ResizedCrop.randomBox`, then PIL's resize of the box to
    /// size x size). Its up to ten tries need more words than a slice has,
    /// so it draws one 64-bit key from its slice and the tries from a
    /// generator of that key. On a file-backed set (ImageNet) it is the first
    /// transform and cuts its box from the decoded file (`FileImages`).
    case randomResizedCrop(size: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>)
    /// `transforms.RandomErasing(p, scale, ratio, value)` (Zhong et al.,
    /// 2020), the re-ID pipelines' last transform: with probability `p` a
    /// rectangle of area fraction uniform in `scale` and aspect ratio
    /// log-uniform in `ratio` (up to ten tries, torchvision's `get_params`;
    /// none fits: nothing erased) is filled with `fill`, one byte per
    /// channel. The dataset's mean as bytes is torchvision's `value=0`
    /// after `Normalize`. One word for p, then a key for the tries.
    case randomErasing(probability: Float, scale: ClosedRange<Double>, ratio: ClosedRange<Double>, fill: [UInt8])

    /// torchvision's defaults: scale (0.08, 1), ratio (3/4, 4/3).
    public static func randomResizedCrop(size: Int) -> Augmentation {
        .randomResizedCrop(size: size, scale: 0.08...1, ratio: (3.0 / 4.0)...(4.0 / 3.0))
    }

    /// The slice of the stream each transform owns. A crop takes 4 words
    /// (8 in the ~2^-60 case of a rejected draw, which stays inside its slice).
    public static let wordsPerTransform = 8

    /// The shape [C, H, W] this transform turns `shape` into, or an error when
    /// it cannot apply (a crop larger than the padded image).
    public func outputShape(for shape: [Int]) throws -> [Int] {
        switch self {
        case let .randomCrop(size, padding):
            guard size > 0, padding >= 0, size <= shape[1] + 2 * padding, size <= shape[2] + 2 * padding else {
                throw DatasetError.invalidArgument(
                    dataset: "randomCrop", message: "a \(size)x\(size) crop does not fit a \(shape[1])x\(shape[2]) image padded by \(padding)")
            }
        case let .horizontalFlip(probability):
            guard (0...1).contains(probability) else {
                throw DatasetError.invalidArgument(dataset: "horizontalFlip", message: "probability \(probability) is not in [0, 1]")
            }
        case let .randomErasing(probability, scale, ratio, fill):
            guard (0...1).contains(probability), scale.lowerBound >= 0, scale.upperBound <= 1, ratio.lowerBound > 0,
                  ratio.upperBound.isFinite, fill.count == shape[0] else {
                throw DatasetError.invalidArgument(
                    dataset: "randomErasing",
                    message: "probability \(probability) in [0, 1], scale \(scale) inside [0, 1], ratio \(ratio) positive "
                        + "and \(fill.count) fill values for \(shape[0]) channels")
            }
        case let .randomResizedCrop(size, scale, ratio):
            guard size > 0, size <= 4096, scale.lowerBound > 0, scale.upperBound <= 1, ratio.lowerBound > 0, ratio.upperBound.isFinite else {
                throw DatasetError.invalidArgument(
                    dataset: "randomResizedCrop",
                    message: "size \(size) must be in 1...4096, scale \(scale) inside (0, 1] and ratio \(ratio) positive")
            }
        }
        return resultShape(shape)
    }

    /// The shape after this transform, for a shape already checked.
    func resultShape(_ shape: [Int]) -> [Int] {
        switch self {
        case let .randomCrop(size, _), let .randomResizedCrop(size, _, _): return [shape[0], size, size]
        case .horizontalFlip, .randomErasing: return shape
        }
    }

    /// This transform of `image` (bytes [C, H, W] of `shape`), drawing from
    /// `generator` where it stands. The shape must have passed `outputShape(for:)`.
    public func apply(to image: [UInt8], shape: [Int], using generator: RandomGenerator) -> [UInt8] {
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        switch self {
        case let .randomCrop(size, padding):
            let top = generator.nextInt(below: height + 2 * padding - size + 1)
            let left = generator.nextInt(below: width + 2 * padding - size + 1)
            // Output pixel (y, x) is padded pixel (top + y, left + x), which is
            // source pixel (top + y - padding, left + x - padding) or zero outside.
            var output = [UInt8](repeating: 0, count: channels * size * size)
            for channel in 0..<channels {
                for y in 0..<size {
                    let sourceY = top + y - padding
                    guard sourceY >= 0 && sourceY < height else { continue }
                    for x in 0..<size {
                        let sourceX = left + x - padding
                        guard sourceX >= 0 && sourceX < width else { continue }
                        output[(channel * size + y) * size + x] = image[(channel * height + sourceY) * width + sourceX]
                    }
                }
            }
            return output
        case let .horizontalFlip(probability):
            guard generator.nextUniform() < probability else { return image }
            return [UInt8](unsafeUninitializedCapacity: image.count) { output, count in
                image.withUnsafeBufferPointer { input in
                    for row in 0..<(channels * height) {
                        let from = input.baseAddress! + row * width, to = output.baseAddress! + row * width
                        for x in 0..<width { to[x] = from[width - 1 - x] }
                    }
                }
                count = image.count
            }
        case let .randomResizedCrop(size, scale, ratio):
            let box = ResizedCrop.randomBox(width: width, height: height, scale: scale, ratio: ratio,
                                            generator: RandomGenerator(seed: generator.next()))
            return ResizedCrop.crop(image, channels: channels, width: width, height: height, box: box, size: size)
        case let .randomErasing(probability, scale, ratio, fill):
            guard generator.nextUniform() < probability else { return image }
            let tries = RandomGenerator(seed: generator.next())
            let area = Double(height * width)
            let logRatio = (log(ratio.lowerBound), log(ratio.upperBound))
            for _ in 0..<10 {
                let erased = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * Double(tries.nextUniform()))
                let aspect = exp(logRatio.0 + (logRatio.1 - logRatio.0) * Double(tries.nextUniform()))
                let h = Int((erased * aspect).squareRoot().rounded(.toNearestOrEven))
                let w = Int((erased / aspect).squareRoot().rounded(.toNearestOrEven))
                guard h < height, w < width else { continue }
                let top = tries.nextInt(below: height - h + 1), left = tries.nextInt(below: width - w + 1)
                var output = image
                for channel in 0..<channels {
                    for y in top..<(top + h) {
                        let row = (channel * height + y) * width
                        for x in left..<(left + w) { output[row + x] = fill[channel] }
                    }
                }
                return output
            }
            return image
        }
    }

    /// `transforms` (checked with `outputShape(for:)`) in order on the image at `position` of an epoch whose
    /// augmentation stream has key `seed`: transform t of that image starts
    /// at word (position · transforms.count + t) · wordsPerTransform.
    /// `first` skips the transforms before it (a file-backed set applies its
    /// leading crop while decoding); the slices stay where they are.
    public static func apply(_ transforms: [Augmentation], to image: [UInt8], shape: [Int],
                             seed: UInt64, position: Int, first: Int = 0) -> (pixels: [UInt8], shape: [Int]) {
        let generator = RandomGenerator(seed: seed)
        var pixels = image, shape = shape
        for (t, transform) in transforms.enumerated() where t >= first {
            generator.state = RandomGenerator.State(
                seed: seed, offset: UInt64((position * transforms.count + t) * wordsPerTransform))
            pixels = transform.apply(to: pixels, shape: shape, using: generator)
            shape = transform.resultShape(shape)
        }
        return (pixels, shape)
    }
}
