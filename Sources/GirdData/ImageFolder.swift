import Foundation

extension Dataset {
    /// The file extensions `imageFolder` reads, compared case-insensitively.
    public static let imageFolderExtensions = ["png", "jpg", "jpeg"]

    /// An image-classification set laid out as torchvision's `ImageFolder`
    /// expects, read as `ImageFolder(root, transform=Compose([Resize(size),
    /// CenterCrop(size)]))` would give it, every image `channels` x `size` x `size`:
    ///
    ///     root/cat/0001.png
    ///     root/cat/0002.jpg
    ///     root/dog/a.jpeg
    ///
    /// - Classes are the sub-folders of `root`, sorted by name (byte order, as
    ///   Python's `sorted`); labels are indices into that order.
    /// - Within a class, the `.png`, `.jpg` and `.jpeg` files (any case) of the
    ///   folder and of its sub-folders, walked as `sorted(os.walk(...))` does:
    ///   folders by path, files by name. Other files are skipped.
    /// - Each image is decoded to 8-bit RGB (grey replicated, palette
    ///   expanded, 16-bit reduced, alpha dropped), resized so that the shorter
    ///   side is `size` and the longer `floor(size · long / short)`, then
    ///   centre-cropped (top `round((h - size) / 2)`, ties to even, as
    ///   torchvision computes it).
    /// - The resize is PIL's `BILINEAR` as `Image.resize` does it: a separable
    ///   triangle filter whose support widens with the scale factor when
    ///   shrinking (so a downscale averages, it does not alias), pixel centres
    ///   at `(x + 0.5) · scale`, weights normalised and taken to 22-bit fixed
    ///   point, the horizontal pass first and rounded to bytes before the
    ///   vertical one. It follows PIL's `Resample.c` and should agree with it to
    ///   within rounding; exactness against PIL is not tested.
    /// - `channels: 1` converts the cropped RGB to grey as PIL's `convert("L")`
    ///   does: ITU-R 601, (19595 R + 38470 G + 7471 B + 32768) >> 16, that is
    ///   0.299 R + 0.587 G + 0.114 B rounded.
    ///
    /// Errors name the path: a missing root, a root with no class folders, a
    /// class folder with no images, and a file that does not decode (with
    /// libpng's or libjpeg's message).
    public static func imageFolder(root: String, size: Int, channels: Int = 3, threads: Int = 1) throws -> Dataset {
        let name = root.split(separator: "/").last.map(String.init) ?? root
        guard size > 0 else {
            throw DatasetError.invalidArgument(dataset: name, message: "size \(size) is not positive")
        }
        guard channels == 1 || channels == 3 else {
            throw DatasetError.invalidArgument(dataset: name, message: "channels \(channels) is not 1 (grey) or 3 (RGB)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw DatasetError.missing(path: root, hint: "pass root: a folder with one sub-folder of images per class")
        }
        guard isDirectory.boolValue else {
            throw DatasetError.system(path: root, action: "list", reason: "Not a directory")
        }
        let classes = try ImageFolder.entries(of: root).filter { ImageFolder.isDirectory("\(root)/\($0)") }
        guard !classes.isEmpty else {
            throw DatasetError.invalidArgument(dataset: root, message: "no class folders (one sub-folder of images per class)")
        }
        var paths: [String] = [], labels: [Int64] = []
        for (label, className) in classes.enumerated() {
            let files = try ImageFolder.imageFiles(under: "\(root)/\(className)")
            guard !files.isEmpty else {
                throw DatasetError.invalidArgument(
                    dataset: "\(root)/\(className)",
                    message: "no images in the class folder (.png, .jpg or .jpeg files)")
            }
            paths += files
            labels += Array(repeating: Int64(label), count: files.count)
        }
        // The decode, resize and crop are ImageNet's evaluation transform
        // (`FileImages`) with the crop as large as the resize, exactly.
        let files = FileImages(root: root, paths: paths, size: size, resize: size, channels: channels, scaledDecoding: false)
        return try Dataset(unchecked: name, classes: classes, files: files, labels: labels, normalization: nil)
            .decodedIntoMemory(threads: threads)
    }
}

/// The pieces of `Dataset.imageFolder`, internal for the tests.
enum ImageFolder {
    /// Byte-order comparison, as Python compares `str` by code point.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func entries(of folder: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).sorted(by: byteOrder)
        } catch {
            throw DatasetError.system(path: folder, action: "list", reason: "\((error as NSError).localizedDescription)")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    static func isImage(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return Dataset.imageFolderExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Image files under `folder`, in `sorted(os.walk(folder))` order: folders
    /// by path, and in each its files by name. Symbolic links to folders are
    /// followed (torchvision passes `followlinks=True`) but a folder is visited once.
    static func imageFiles(under folder: String) throws -> [String] {
        var folders: [String] = [], pending = [folder]
        var seen = Set<String>()
        while let next = pending.popLast() {
            let real = (next as NSString).resolvingSymlinksInPath
            guard seen.insert(real).inserted else { continue }
            folders.append(next)
            for entry in try entries(of: next) where isDirectory("\(next)/\(entry)") {
                pending.append("\(next)/\(entry)")
            }
        }
        var files: [String] = []
        for path in folders.sorted(by: byteOrder) {
            for entry in try entries(of: path) where isImage(entry) && !isDirectory("\(path)/\(entry)") {
                files.append("\(path)/\(entry)")
            }
        }
        return files
    }

    /// PIL's `convert("L")`: ITU-R 601 luma in 16-bit fixed point, rounded.
    static func grey(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let red: UInt32 = 19595 * UInt32(r), green: UInt32 = 38470 * UInt32(g), blue: UInt32 = 7471 * UInt32(b)
        let sum: UInt32 = red + green + blue + 0x8000
        return UInt8(sum >> 16)
    }

    /// The fixed-point precision of PIL's resampling coefficients.
    static let precisionBits = 32 - 8 - 2

    /// For each output index, the first input index and the fixed-point
    /// weights of the inputs from there (PIL's `precompute_coeffs` with the
    /// bilinear, i.e. triangle, filter of support 1). `span` is the part of
    /// the input the output covers, in input pixels (PIL's resize `box`;
    /// fractional where a crop box was scaled with the image), the whole
    /// input by default.
    static func coefficients(input: Int, output: Int, span: ClosedRange<Double>? = nil) -> [(start: Int, weights: [Int32])] {
        let from = span?.lowerBound ?? 0
        let scale = ((span?.upperBound ?? Double(input)) - from) / Double(output)
        let filterScale = max(scale, 1)
        let support = 1.0 * filterScale
        var result: [(start: Int, weights: [Int32])] = []
        result.reserveCapacity(output)
        for x in 0..<output {
            let center = from + (Double(x) + 0.5) * scale
            let start = max(Int(center - support + 0.5), 0)
            let end = min(Int(center + support + 0.5), input)
            var weights: [Double] = []
            for i in start..<end {
                let t = abs((Double(i) - center + 0.5) / filterScale)
                weights.append(t < 1 ? 1 - t : 0)
            }
            let total = weights.reduce(0, +)
            let fixed = weights.map { w -> Int32 in
                let k = total != 0 ? w / total : 0
                return Int32(k * Double(1 << precisionBits) + (k < 0 ? -0.5 : 0.5))
            }
            result.append((start, fixed))
        }
        return result
    }
}
