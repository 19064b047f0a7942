import Foundation
import GirdTensor

/// The images of a set too large to hold decoded (ImageNet: 1.28 M photos,
/// ~140 GB as bytes): paths, decoded when a batch needs them, on the
/// loader's threads.
///
/// Each image becomes `channels` x `size` x `size` bytes in one of three ways:
/// - evaluation, and training without a leading random-resized crop:
///   torchvision's `Resize(resize)` + `CenterCrop(size)` (`resize` 256 for
///   224 crops; equal to `size`, the crop keeps the whole shorter side);
/// - with `fit` `.stretch` (re-identification sets): `Resize((size, size))`,
///   the whole photo squeezed to the square whatever its aspect, as
///   torchreid's and fast-reid's transforms do; every augmentation then
///   applies to those bytes;
/// - training with `Augmentation.randomResizedCrop` first: the box is drawn
///   on the file's full size and cut from the decoded image, then resized
///   (`ResizedCrop`); the other transforms follow on the bytes.
///
/// With `scaledDecoding` (the default) a JPEG is decoded at M/8 of its size
/// (libjpeg-turbo's DCT scaling, M the fewest eighths) when what is kept
/// still has at least the output's pixels: the box (or the shorter side,
/// for `Resize`) at least `size` (or `resize`) after scaling. A random crop
/// of a third of a 400 x 350 photo is then decoded at 6/8 or 7/8, and a
/// large photo much smaller; the bytes differ from decoding whole and
/// resizing (what torchvision does with PIL) by about a grey level on
/// average. Without it they are torchvision's exactly (a test). Either way
/// only the box's rows and iMCU columns of a JPEG are decoded.
public struct FileImages: Sendable {
    /// How a photo becomes a square.
    public enum Fit: String, Sendable, Codable {
        /// `Resize(resize)` + `CenterCrop(size)`: the aspect kept, the sides cut.
        case centreCrop
        /// `Resize((size, size))`: all of the photo, its aspect changed.
        case stretch
    }

    /// The folder the paths are under (fingerprints use the paths relative to it).
    public let root: String
    public let paths: [String]
    public let size: Int
    public let resize: Int
    public let channels: Int
    public let scaledDecoding: Bool
    public let fit: Fit

    public init(root: String, paths: [String], size: Int, resize: Int, channels: Int = 3, scaledDecoding: Bool = true,
                fit: Fit = .centreCrop) {
        self.fit = fit
        self.root = root
        self.paths = paths
        self.size = size
        self.resize = resize
        self.channels = channels
        self.scaledDecoding = scaledDecoding
    }

    func selecting(_ indices: [Int]) -> FileImages {
        FileImages(root: root, paths: indices.map { paths[$0] }, size: size, resize: resize, channels: channels,
                   scaledDecoding: scaledDecoding, fit: fit)
    }

    /// Image `index` as `channels` x `size` x `size` bytes, and how many of
    /// `transforms` it already applied (1 when they start with a
    /// random-resized crop, else 0). The crop draws from the slice of
    /// transform 0 of `position` in the stream keyed by `seed`, as
    /// `Augmentation.apply` would.
    public func load(_ index: Int, transforms: [Augmentation] = [], seed: UInt64 = 0, position: Int = 0) throws
        -> (pixels: [UInt8], applied: Int) {
        let path = paths[index]
        let file = try DatasetFile.readPlain(path, hint: "the file went away after the folder was listed")
        let format = ImageDecoding.format(of: file.bytes, path: path)
        do {
            // A PNG is decoded once, whole; a JPEG's size comes from its headers.
            let png = format == .png ? try ImageDecoding.decodePNG(file.bytes) : nil
            let full: (width: Int, height: Int) = try png.map { ($0.width, $0.height) } ?? ImageDecoding.jpegSize(file.bytes)
            if fit == .stretch {
                // Both sides must keep at least `size` pixels: the shorter decides.
                let shrink = eighths(keeping: min(full.width, full.height), atLeast: size, format: format)
                let image = try png ?? ImageDecoding.decodeJPEG(file.bytes, eighths: shrink)
                let whole = ResizedCrop.Box(top: 0, left: 0, height: image.height, width: image.width)
                return (ResizedCrop.resized(image, box: whole, toWidth: size, height: size, channels: channels), 0)
            }
            if case let .randomResizedCrop(cropSize, scale, ratio)? = transforms.first {
                let generator = RandomGenerator(seed: seed)
                generator.state = RandomGenerator.State(seed: seed, offset: UInt64(position * transforms.count * Augmentation.wordsPerTransform))
                let box = ResizedCrop.randomBox(width: full.width, height: full.height, scale: scale, ratio: ratio,
                                                generator: RandomGenerator(seed: generator.next()))
                let shrink = eighths(keeping: min(box.width, box.height), atLeast: cropSize, format: format)
                if let png { return (ResizedCrop.resized(png, box: box, toWidth: cropSize, height: cropSize, channels: channels), 1) }
                // Only the box's rows and iMCU columns are decoded. At M/8 the
                // box's edges fall between the scaled pixels: the region read is
                // the pixels they touch, and the resize covers exactly the
                // scaled box within it (PIL's resize with a box), so the crop
                // shows what torchvision's does, to within the filters' difference.
                let size = Self.scaledSize(full, eighths: shrink)
                let ratio = (x: Double(size.width) / Double(full.width), y: Double(size.height) / Double(full.height))
                let spanX = (Double(box.left) * ratio.x)...(Double(box.left + box.width) * ratio.x)
                let spanY = (Double(box.top) * ratio.y)...(Double(box.top + box.height) * ratio.y)
                let left = min(Int(spanX.lowerBound), size.width - 1), top = min(Int(spanY.lowerBound), size.height - 1)
                let right = max(left + 1, min(Int(spanX.upperBound.rounded(.up)), size.width))
                let bottom = max(top + 1, min(Int(spanY.upperBound.rounded(.up)), size.height))
                let region = ResizedCrop.Box(top: top, left: left, height: bottom - top, width: right - left)
                let decoded = try ImageDecoding.decodeJPEGRegion(file.bytes, eighths: shrink, scaledWidth: size.width, box: region)
                let inImage = ResizedCrop.Box(top: 0, left: region.left - decoded.firstColumn, height: region.height, width: region.width)
                let exact = shrink == 8
                let columns = exact ? nil : (spanX.lowerBound - Double(left))...(spanX.upperBound - Double(left))
                let rows = exact ? nil : (spanY.lowerBound - Double(top))...(spanY.upperBound - Double(top))
                return (ResizedCrop.resized(decoded.image, box: inImage, toWidth: cropSize, height: cropSize, channels: channels,
                                            columns: columns, rows: rows), 1)
            }
            let shrink = eighths(keeping: min(full.width, full.height), atLeast: resize, format: format)
            let image = try png ?? ImageDecoding.decodeJPEG(file.bytes, eighths: shrink)
            return (ResizedCrop.resizedAndCentreCropped(image, resize: resize, size: size, channels: channels), 0)
        } catch let reason as ImageDecoding.DecodeFailure {
            throw DatasetError.system(path: path, action: "decode \(format.rawValue)", reason: reason.message)
        }
    }

    /// The fewest eighths (DCT scaling M/8) that leave `side` at least
    /// `target` pixels: 8 (the full size) for a PNG, with scaled decoding
    /// off, or when nothing smaller keeps enough.
    private func eighths(keeping side: Int, atLeast target: Int, format: ImageDecoding.Format) -> Int {
        guard scaledDecoding, format == .jpeg, side > 0 else { return 8 }
        return (1...8).first { (side * $0 + 7) / 8 >= target } ?? 8
    }

    /// libjpeg's size of an image decoded at M/8: ceil(side · M / 8).
    static func scaledSize(_ full: (width: Int, height: Int), eighths: Int) -> (width: Int, height: Int) {
        ((full.width * eighths + 7) / 8, (full.height * eighths + 7) / 8)
    }
}
