import Foundation

extension Dataset {
    /// VeRi-776 (Liu et al., 2016: 776 vehicles, 20 cameras) as it is
    /// distributed, file-backed:
    ///
    ///     root/image_train/0001_c001_00016450_0.jpg    37 778 images of 576 vehicles
    ///     root/image_query/0002_c002_00030600_0.jpg     1 678 queries of 200 vehicles
    ///     root/image_test/0002_c002_00030605_1.jpg     11 579 gallery images
    ///     root/name_train.txt, name_query.txt, name_test.txt   the file lists (optional)
    ///
    /// `split` "train", "query" or "gallery" (`image_test`). A file is named
    /// `VVVV_cCCC_TTTTTTTT_N.jpg`: vehicle id, camera, a frame stamp and an
    /// index; `identities` keeps each image's vehicle id and camera. The
    /// training set's labels are its vehicle ids numbered in sorted order
    /// (its classes are the ids, "0001"...); a query set's and a gallery's
    /// are their own ids numbered likewise (only `identities` matters to
    /// the retrieval protocol). With a `name_*.txt` list the split is the
    /// files it lists, in its order; without one, the folder's `.jpg` files
    /// in byte order.
    ///
    /// Each photo is resized to `size` x `size` whatever its aspect, as the
    /// VeRi literature's pipelines do (`FileImages.Fit.stretch`), and
    /// decoded when a batch needs it; normalised with ImageNet's mean and
    /// std (the backbones start from ImageNet weights).
    ///
    /// Errors name the path: a missing root or split folder, a file name
    /// that does not follow the pattern (which part is wrong), a file a list
    /// names that is not there (list and line), an empty split, and a query
    /// vehicle that has no image in the gallery.
    public static func veri776(root: String, split: String, size: Int = 256, scaledDecoding: Bool = true) throws -> Dataset {
        guard let folderName = VeRi776.folders[split] else {
            throw DatasetError.invalidArgument(
                dataset: "veri776", message: "split must be \"train\", \"query\" or \"gallery\", got \"\(split)\"")
        }
        try checkSizes(size: size, resize: size, dataset: "veri776")
        try requireFolder(root, hint: "pass the unpacked VeRi folder (image_train/, image_query/, image_test/)")
        let images = try VeRi776.images(root: root, split: split)
        let ids = images.map(\.id)
        if split == "query" {
            let gallery = Set(try VeRi776.images(root: root, split: "gallery").map(\.id))
            if let lonely = images.first(where: { !gallery.contains($0.id) }) {
                throw DatasetError.invalidArgument(
                    dataset: lonely.path,
                    message: "vehicle \(lonely.id) has no image in the gallery (\(root)/\(VeRi776.folders["gallery"]!)): "
                        + "the query cannot be evaluated")
            }
        }
        let distinct = Array(Set(ids)).sorted()
        let labelOf = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, Int64($0)) })
        let files = FileImages(root: root, paths: images.map(\.path), size: size, resize: size, scaledDecoding: scaledDecoding,
                               fit: .stretch)
        var dataset = try Dataset(name: "VeRi-776 (\(split), \(folderName))", classes: distinct.map(VeRi776.idText),
                                  files: files, labels: ids.map { labelOf[$0]! }, normalization: .imageNet)
        dataset.identities = Identities(ids: ids, cameras: images.map(\.camera))
        return dataset
    }
}

/// VeRi-776's folders, lists and file names.
enum VeRi776 {
    static let folders = ["train": "image_train", "query": "image_query", "gallery": "image_test"]
    static let lists = ["train": "name_train.txt", "query": "name_query.txt", "gallery": "name_test.txt"]

    struct Image {
        let path: String
        let id: Int64
        let camera: Int64
    }

    /// The images of `split`: the list's files if `root` has the list, else
    /// the folder's `.jpg` files; each name parsed.
    static func images(root: String, split: String) throws -> [Image] {
        let folder = "\(root)/\(folders[split]!)"
        try Dataset.requireFolder(folder, hint: "VeRi-776's \(split) images go in \(folder) (VVVV_cCCC_TTTTTTTT_N.jpg)")
        let listPath = "\(root)/\(lists[split]!)"
        var images: [Image] = []
        if FileManager.default.fileExists(atPath: listPath) {
            let text = try Dataset.textFile(listPath, hint: "the list went away")
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let name = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if name.isEmpty { continue }
                let path = "\(folder)/\(name)"
                guard FileManager.default.fileExists(atPath: path) else {
                    throw DatasetError.missing(path: path, hint: "\(listPath), line \(number + 1), lists it")
                }
                let (id, camera) = try parse(name, path: "\(listPath), line \(number + 1)")
                images.append(Image(path: path, id: id, camera: camera))
            }
        } else {
            for name in try ImageFolder.entries(of: folder) where name.lowercased().hasSuffix(".jpg") {
                let path = "\(folder)/\(name)"
                let (id, camera) = try parse(name, path: path)
                images.append(Image(path: path, id: id, camera: camera))
            }
        }
        guard !images.isEmpty else {
            throw DatasetError.invalidArgument(dataset: FileManager.default.fileExists(atPath: listPath) ? listPath : folder,
                                               message: "no images (VVVV_cCCC_TTTTTTTT_N.jpg files)")
        }
        return images
    }

    /// The vehicle id and camera of `VVVV_cCCC_TTTTTTTT_N.jpg`; `path` names
    /// the file (or list line) in the error.
    static func parse(_ name: String, path: String) throws -> (id: Int64, camera: Int64) {
        func fail(_ message: String) -> DatasetError {
            .invalidArgument(dataset: path, message: "file name \"\(name)\" is not VVVV_cCCC_TTTTTTTT_N.jpg: \(message)")
        }
        guard name.lowercased().hasSuffix(".jpg") else { throw fail("it does not end in .jpg") }
        let parts = name.dropLast(4).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 4 else { throw fail("\(parts.count) parts separated by _, not 4") }
        func number(_ text: Substring, _ what: String) throws -> Int64 {
            guard !text.isEmpty, text.count <= 12, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(text) else {
                throw fail("the \(what) \"\(text)\" is not a number")
            }
            return value
        }
        let id = try number(parts[0], "vehicle id")
        guard parts[1].first == "c" else { throw fail("the camera \"\(parts[1])\" does not start with c") }
        let camera = try number(parts[1].dropFirst(), "camera number")
        _ = try number(parts[2], "frame stamp")
        _ = try number(parts[3], "index")
        return (id, camera)
    }

    /// "0001" for id 1, as the file names write it.
    static func idText(_ id: Int64) -> String {
        let digits = String(id)
        return String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }
}
