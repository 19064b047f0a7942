import Foundation

extension Dataset {
    /// ILSVRC-2012 as torchvision's `ImageFolder` reads it, file-backed:
    ///
    ///     root/train/n01440764/n01440764_10026.JPEG
    ///     root/val/n01440764/ILSVRC2012_val_00000293.JPEG
    ///
    /// `split` "train" or "val"; classes are the sub-folders (WordNet ids)
    /// of `root/split` in sorted order, files walked as `ImageFolder` does
    /// (`Dataset.imageFolder`). Images are decoded when a batch needs them
    /// (`FileImages`): `size` x `size` after `Resize(resize)` + `CenterCrop`
    /// (`resize` defaults to size / 0.875, 256 for 224), or the training
    /// augmentation's random-resized crop. Normalised with ImageNet's mean and std.
    ///
    /// Errors name the path: a missing root or split folder, a split with no
    /// class folders, an empty class folder; an image that does not decode
    /// is named when its batch is loaded.
    public static func imagenet(root: String, split: String, size: Int = 224, resize: Int? = nil,
                                scaledDecoding: Bool = true) throws -> Dataset {
        guard split == "train" || split == "val" else {
            throw DatasetError.invalidArgument(dataset: "imagenet", message: "split must be \"train\" or \"val\", got \"\(split)\"")
        }
        let resize = resize ?? Int((Double(size) / 0.875).rounded())
        try checkSizes(size: size, resize: resize, dataset: "imagenet")
        let folder = "\(root)/\(split)"
        try requireFolder(root, hint: "pass the folder that holds train/ and val/ (ILSVRC-2012 as torchvision's ImageFolder reads it)")
        try requireFolder(folder, hint: "ImageNet's \(split) images go in \(folder)/<wnid>/*.JPEG (for val, sorted into class folders)")
        let classes = try ImageFolder.entries(of: folder).filter { ImageFolder.isDirectory("\(folder)/\($0)") }
        guard !classes.isEmpty else {
            throw DatasetError.invalidArgument(dataset: folder, message: "no class folders (one sub-folder of images per class)")
        }
        var paths: [String] = [], labels: [Int64] = []
        for (label, wnid) in classes.enumerated() {
            let files = try ImageFolder.imageFiles(under: "\(folder)/\(wnid)")
            guard !files.isEmpty else {
                throw DatasetError.invalidArgument(dataset: "\(folder)/\(wnid)", message: "no images in the class folder (.JPEG, .jpg or .png files)")
            }
            paths += files
            labels += Array(repeating: Int64(label), count: files.count)
        }
        return try Dataset(name: "ImageNet (\(split))", classes: classes,
                           files: FileImages(root: root, paths: paths, size: size, resize: resize, scaledDecoding: scaledDecoding),
                           labels: labels, normalization: .imageNet)
    }

    /// Tiny ImageNet (200 classes, 64x64 photos) as it is distributed, held
    /// in memory (100 000 training images: 1.2 GB):
    ///
    ///     root/wnids.txt                          the 200 WordNet ids, one a line
    ///     root/train/n01443537/images/*.JPEG      500 a class
    ///     root/val/images/val_0.JPEG ...          10 000
    ///     root/val/val_annotations.txt            "val_0.JPEG<TAB>n03444034<TAB>x<TAB>y<TAB>w<TAB>h"
    ///
    /// `split` "train" or "val" (the test split has no labels). Classes are
    /// wnids.txt's ids in sorted order (torchvision's `ImageFolder` over the
    /// train folder gives the same). Images are decoded on `threads` threads
    /// and, at `size` other than 64, resized as `Resize(size)` does.
    /// Normalised with ImageNet's mean and std (as the usual recipes, which
    /// start from ImageNet weights, do).
    ///
    /// Errors name the file: a missing wnids.txt, class folder or annotation
    /// file, a malformed annotation line (file and line), an annotation of a
    /// class wnids.txt does not list, a validation image without an
    /// annotation, an empty class, and an image that does not decode.
    public static func tinyImageNet(root: String, split: String, size: Int = 64, threads: Int = 1) throws -> Dataset {
        guard split == "train" || split == "val" else {
            throw DatasetError.invalidArgument(dataset: "tiny_imagenet",
                                               message: "split must be \"train\" or \"val\", got \"\(split)\" (the test split has no labels)")
        }
        try checkSizes(size: size, resize: size, dataset: "tiny_imagenet")
        try requireFolder(root, hint: "pass the unpacked tiny-imagenet-200 folder (wnids.txt, train/, val/)")
        let wnidsPath = "\(root)/wnids.txt"
        let wnidsText = try textFile(wnidsPath, hint: "Tiny ImageNet lists its 200 classes in wnids.txt at the top of the archive")
        let classes = wnidsText.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.sorted(by: ImageFolder.byteOrder)
        guard !classes.isEmpty else {
            throw DatasetError.invalidArgument(dataset: wnidsPath, message: "no class ids (one WordNet id a line)")
        }
        if let twice = classes.indices.dropFirst().first(where: { classes[$0] == classes[$0 - 1] }) {
            throw DatasetError.invalidArgument(dataset: wnidsPath, message: "class \(classes[twice]) is listed twice")
        }
        let labelOf = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Int64($0)) })
        var paths: [String] = [], labels: [Int64] = []
        if split == "train" {
            for (label, wnid) in classes.enumerated() {
                let folder = "\(root)/train/\(wnid)/images"
                try requireFolder(folder, hint: "wnids.txt lists \(wnid); its training images go in \(folder)")
                let files = try ImageFolder.entries(of: folder).filter(ImageFolder.isImage).map { "\(folder)/\($0)" }
                guard !files.isEmpty else {
                    throw DatasetError.invalidArgument(dataset: folder, message: "no images in the class folder (.JPEG files)")
                }
                paths += files
                labels += Array(repeating: Int64(label), count: files.count)
            }
        } else {
            let annotationsPath = "\(root)/val/val_annotations.txt"
            let annotations = try textFile(annotationsPath, hint: "Tiny ImageNet gives each validation image's class in val/val_annotations.txt")
            var classOf: [String: Int64] = [:]
            for (number, line) in annotations.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                if fields.allSatisfy(\.isEmpty) { continue }
                guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                    throw DatasetError.invalidArgument(
                        dataset: "\(annotationsPath), line \(number + 1)",
                        message: "expected \"FILE<TAB>WNID<TAB>x<TAB>y<TAB>w<TAB>h\", got \"\(line.prefix(80))\"")
                }
                guard let label = labelOf[fields[1]] else {
                    throw DatasetError.invalidArgument(
                        dataset: "\(annotationsPath), line \(number + 1)", message: "class \(fields[1]) of \(fields[0]) is not in wnids.txt")
                }
                classOf[fields[0]] = label
            }
            let folder = "\(root)/val/images"
            try requireFolder(folder, hint: "Tiny ImageNet's validation images go in \(folder)")
            for name in try ImageFolder.entries(of: folder).filter(ImageFolder.isImage) {
                guard let label = classOf.removeValue(forKey: name) else {
                    throw DatasetError.invalidArgument(dataset: "\(folder)/\(name)", message: "has no line in val_annotations.txt")
                }
                paths.append("\(folder)/\(name)")
                labels.append(label)
            }
            if let missing = classOf.keys.sorted(by: ImageFolder.byteOrder).first {
                throw DatasetError.missing(path: "\(folder)/\(missing)", hint: "val_annotations.txt lists it")
            }
        }
        let files = FileImages(root: root, paths: paths, size: size, resize: size, scaledDecoding: false)
        return try Dataset(name: "Tiny ImageNet (\(split))", classes: classes, files: files, labels: labels, normalization: .imageNet)
            .decodedIntoMemory(threads: threads)
    }

    /// A file-backed set decoded (each image as `image(_:)` gives it) and held
    /// in memory; a set in memory as it is.
    public func decodedIntoMemory(threads: Int = 1) throws -> Dataset {
        guard files != nil else { return self }
        var decoded = Dataset(unchecked: name, classes: classes, imageShape: imageShape,
                              pixels: try decodeImages(Array(0..<count), threads: threads), labels: labels, normalization: normalization)
        decoded.identities = identities
        return decoded
    }

    /// The images at `indices`, one after another, each as `image(_:)` gives
    /// it, decoded on `threads` threads; the error of the first image (in
    /// that order) that fails.
    func decodeImages(_ indices: [Int], threads: Int) throws -> [UInt8] {
        let size = imageSize, workers = max(1, min(threads, indices.count))
        var pixels = [UInt8](repeating: 0, count: indices.count * size)
        let failures = FailureSlots(count: workers)
        pixels.withUnsafeMutableBufferPointer { target in
            nonisolated(unsafe) let target = target
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for slot in stride(from: worker, to: indices.count, by: workers) {
                    do {
                        let image = try self.image(indices[slot])
                        for i in 0..<size { target[slot * size + i] = image[i] }
                    } catch {
                        failures.record(error, at: slot, worker: worker)
                        return
                    }
                }
            }
        }
        if let error = failures.first { throw error }
        return pixels
    }

    static func checkSizes(size: Int, resize: Int, dataset: String) throws {
        guard (1...4096).contains(size), (size...8192).contains(resize) else {
            throw DatasetError.invalidArgument(dataset: dataset, message: "size \(size) must be in 1...4096 and resize \(resize) in size...8192")
        }
    }

    static func requireFolder(_ path: String, hint: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.missing(path: path, hint: hint)
        }
        guard isDirectory.boolValue else { throw DatasetError.system(path: path, action: "list", reason: "Not a directory") }
    }

    static func textFile(_ path: String, hint: String) throws -> String {
        let file = try DatasetFile.read(path, hint: hint)
        guard let text = String(bytes: file.bytes, encoding: .utf8) else {
            throw DatasetError.malformed(path: path, offset: 0, compressed: file.isCompressed, message: "not UTF-8 text")
        }
        return text
    }
}
