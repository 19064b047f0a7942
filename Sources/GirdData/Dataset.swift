import GirdTensor

/// Which half of a dataset that ships split in two.
public enum Split: String, Sendable {
    case train, test
}

/// Per-channel mean and standard deviation of a dataset's training images in
/// [0, 1], for `(x - mean) / std`.
public struct Normalization: Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Computed over the 60000 training images at their 28x28 size (not the
    /// padded 32x32), population std: mean 0.28604, std 0.35302 (checked by a
    /// test against the Debian files).
    public static let fashionMNIST = Normalization(mean: [0.2860], std: [0.3530])
    /// The values torchvision's MNIST examples use (training set, 28x28).
    public static let mnist = Normalization(mean: [0.1307], std: [0.3081])
    /// CIFAR-10 training set, population std per channel (RGB).
    public static let cifar10 = Normalization(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616])
    /// CIFAR-100 training set, population std per channel (RGB).
    public static let cifar100 = Normalization(mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762])
    /// ImageNet's, as torchvision's pretrained weights expect (also used for Tiny ImageNet).
    public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
}

/// A labelled image set, held in memory or (`files`) read from disk as
/// batches need it.
///
/// In memory the pixels are kept as the files have them, unsigned bytes
/// [N, C, H, W] (a quarter of the memory of float32: 61 MB rather than 246 MB
/// for Fashion-MNIST's training set), and become float32 in [0, 1] only in
/// `batch(indices:)`, one batch at a time. A file-backed set (ImageNet) has
/// no pixels: `files` decodes each image when its batch is loaded.
public struct Dataset: Sendable {
    public let name: String
    /// Class names; a label is an index into them.
    public let classes: [String]
    /// [C, H, W] of one image.
    public let imageShape: [Int]
    /// Row-major bytes, N·C·H·W of them, 0 black to 255 white; empty for a file-backed set.
    public let pixels: [UInt8]
    /// The files of a file-backed set, one per image; nil in memory.
    public let files: FileImages?
    /// One class index per image, each in 0..<classes.count.
    public let labels: [Int64]
    /// The dataset's published normalisation, if it has one.
    public let normalization: Normalization?
    /// Each image's identity and camera, in a re-identification set
    /// (`veri776`); nil elsewhere.
    public internal(set) var identities: Identities?

    public var count: Int { labels.count }
    public var imageSize: Int { imageShape.reduce(1, *) }

    /// Checks that the pixels fill `count` images of `imageShape` and that
    /// every label names a class.
    public init(name: String, classes: [String], imageShape: [Int], pixels: [UInt8], labels: [Int64],
                normalization: Normalization? = nil) throws {
        guard imageShape.count == 3, imageShape.allSatisfy({ $0 > 0 }) else {
            throw DatasetError.invalidArgument(dataset: name, message: "image shape \(imageShape) is not [channels, height, width]")
        }
        let imageSize = imageShape.reduce(1, *)
        guard pixels.count == labels.count * imageSize else {
            throw DatasetError.invalidArgument(
                dataset: name, message: "\(pixels.count) pixel bytes do not make \(labels.count) images of \(imageShape)")
        }
        if let index = labels.firstIndex(where: { $0 < 0 || $0 >= classes.count }) {
            throw DatasetError.invalidArgument(
                dataset: name, message: "label \(labels[index]) of image \(index) is out of range for \(classes.count) classes")
        }
        self.init(unchecked: name, classes: classes, imageShape: imageShape, pixels: pixels, labels: labels,
                  normalization: normalization)
    }

    /// For readers that have already checked their files (with better messages).
    init(unchecked name: String, classes: [String], imageShape: [Int], pixels: [UInt8], labels: [Int64],
         normalization: Normalization?) {
        self.name = name
        self.classes = classes
        self.imageShape = imageShape
        self.pixels = pixels
        self.files = nil
        self.labels = labels
        self.normalization = normalization
    }

    /// A file-backed set: image i is `files.paths[i]`, of shape
    /// [files.channels, files.size, files.size].
    public init(name: String, classes: [String], files: FileImages, labels: [Int64], normalization: Normalization?) throws {
        guard files.paths.count == labels.count else {
            throw DatasetError.invalidArgument(dataset: name, message: "\(files.paths.count) files for \(labels.count) labels")
        }
        if let index = labels.firstIndex(where: { $0 < 0 || $0 >= classes.count }) {
            throw DatasetError.invalidArgument(
                dataset: name, message: "label \(labels[index]) of image \(index) is out of range for \(classes.count) classes")
        }
        self.init(unchecked: name, classes: classes, files: files, labels: labels, normalization: normalization)
    }

    /// A file-backed set whose labels were already checked (a subset of one).
    init(unchecked name: String, classes: [String], files: FileImages, labels: [Int64], normalization: Normalization?) {
        self.name = name
        self.classes = classes
        self.imageShape = [files.channels, files.size, files.size]
        self.pixels = []
        self.files = files
        self.labels = labels
        self.normalization = normalization
    }

    /// Image `index`'s bytes [C, H, W] before any augmentation (a file-backed
    /// set's decoded and centre-cropped).
    public func image(_ index: Int) throws -> [UInt8] {
        if let files { return try files.load(index).pixels }
        return Array(pixels[index * imageSize..<(index + 1) * imageSize])
    }

    /// Image `index` with `transforms` applied, drawing from the slices of
    /// `position` in the stream keyed by `seed` (`Augmentation.apply`).
    public func augmentedImage(_ index: Int, transforms: [Augmentation], seed: UInt64, position: Int) throws -> [UInt8] {
        if let files {
            let (bytes, applied) = try files.load(index, transforms: transforms, seed: seed, position: position)
            guard applied < transforms.count else { return bytes }
            let shape = applied > 0 ? transforms[0].resultShape(imageShape) : imageShape
            return Augmentation.apply(transforms, to: bytes, shape: shape, seed: seed, position: position, first: applied).pixels
        }
        return Augmentation.apply(transforms, to: try image(index), shape: imageShape, seed: seed, position: position).pixels
    }

    /// How many images each class has.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// The images at `indices` as float32 [B, C, H, W] in [0, 1] (or
    /// `(x - mean) / std` with `normalized`, when the dataset has a
    /// normalisation), and their labels as int64 [B].
    /// A file-backed set decodes the images on `threads` threads.
    public func batch(indices: [Int], normalized: Bool = false, threads: Int = 1) throws -> (images: Tensor, labels: Tensor) {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw DatasetError.invalidArgument(dataset: name, message: "index \(bad) is out of range for \(count) images")
        }
        if files != nil {
            let decoded = try decodeImages(indices, threads: threads)
            return try Dataset(unchecked: name, classes: classes, imageShape: imageShape, pixels: decoded,
                               labels: indices.map { labels[$0] }, normalization: normalization)
                .batch(indices: Array(indices.indices), normalized: normalized)
        }
        let channels = imageShape[0], plane = imageShape[1] * imageShape[2]
        // Per channel: value = (byte - 255·mean) / (255·std); a division, not
        // a multiplication by 1/255, so that plain values are exactly byte/255.
        var offset = [Float](repeating: 0, count: channels)
        var divisor = [Float](repeating: 255, count: channels)
        if normalized, let normalization {
            for channel in 0..<channels {
                offset[channel] = 255 * normalization.mean[channel]
                divisor[channel] = 255 * normalization.std[channel]
            }
        }
        // A byte has 256 values: each channel's are computed once, the same
        // floats the formula gives, and looked up.
        let table = (0..<channels).flatMap { channel in (0..<256).map { (Float($0) - offset[channel]) / divisor[channel] } }
        // Written straight into the tensor's storage (an ImageNet batch of 64 is 38 MB).
        let images = try Tensor.filling([indices.count] + imageShape) { destination in
            pixels.withUnsafeBufferPointer { source in
                table.withUnsafeBufferPointer { table in
                    for (row, index) in indices.enumerated() {
                        for channel in 0..<channels {
                            let from = source.baseAddress! + index * imageSize + channel * plane
                            let to = destination.baseAddress! + row * imageSize + channel * plane
                            let lookup = table.baseAddress! + channel * 256
                            for i in 0..<plane { to[i] = lookup[Int(from[i])] }
                        }
                    }
                }
            }
        }
        return (images, try Tensor(shape: [indices.count], indices: indices.map { labels[$0] }))
    }

    /// `n` images drawn without replacement, deterministically from `seed`,
    /// kept in the dataset's order.
    ///
    /// Stratified, each class gets its share of `n` in proportion to its
    /// size, floor(n · size / count), and the images left over go one each
    /// to the classes with the largest remainders (ties to the lower class);
    /// within a class the images are the first of a `permutation` of its
    /// members from one `RandomGenerator(seed:)`, classes in order. Not
    /// stratified, they are the first `n` of `permutation(count)`.
    public func subset(_ n: Int, seed: UInt64, stratified: Bool = true) throws -> Dataset {
        select(try subsetIndices(n, seed: seed, stratified: stratified))
    }

    /// The images `subset(n, seed:, stratified:)` leaves out, in the
    /// dataset's order: with it, a split into two disjoint parts (a
    /// validation split carved from a training set).
    public func rest(_ n: Int, seed: UInt64, stratified: Bool = true) throws -> Dataset {
        var taken = [Bool](repeating: false, count: count)
        for index in try subsetIndices(n, seed: seed, stratified: stratified) { taken[index] = true }
        return select(taken.indices.filter { !taken[$0] })
    }

    /// The images at `indices`, in that order (repeats allowed).
    public func subset(indices: [Int]) throws -> Dataset {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw DatasetError.invalidArgument(dataset: name, message: "index \(bad) is out of range for \(count) images")
        }
        return select(indices)
    }

    /// The indices `subset` keeps, sorted.
    private func subsetIndices(_ n: Int, seed: UInt64, stratified: Bool) throws -> [Int] {
        guard n >= 0, n <= count else {
            throw DatasetError.invalidArgument(dataset: name, message: "cannot take a subset of \(n) images from \(count)")
        }
        let generator = RandomGenerator(seed: seed)
        var chosen: [Int]
        if stratified {
            var members = [[Int]](repeating: [], count: classes.count)
            for (index, label) in labels.enumerated() { members[Int(label)].append(index) }
            var quotas = members.map { count == 0 ? 0 : n * $0.count / count }
            let remainders = members.indices.map { count == 0 ? 0 : n * members[$0].count % count }
            let byRemainder = members.indices.sorted { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
            for k in byRemainder.prefix(n - quotas.reduce(0, +)) { quotas[k] += 1 }
            chosen = []
            for (k, indices) in members.enumerated() {
                let order = generator.permutation(indices.count)
                chosen += order.prefix(quotas[k]).map { indices[$0] }
            }
        } else {
            chosen = Array(generator.permutation(count).prefix(n))
        }
        return chosen.sorted()
    }

    /// The images at `indices`, in that order.
    private func select(_ indices: [Int]) -> Dataset {
        var chosen: Dataset
        if let files {
            chosen = Dataset(unchecked: name, classes: classes, files: files.selecting(indices), labels: indices.map { labels[$0] },
                             normalization: normalization)
        } else {
            var chosenPixels = [UInt8]()
            chosenPixels.reserveCapacity(indices.count * imageSize)
            for index in indices { chosenPixels += pixels[index * imageSize..<(index + 1) * imageSize] }
            chosen = Dataset(unchecked: name, classes: classes, imageShape: imageShape, pixels: chosenPixels,
                             labels: indices.map { labels[$0] }, normalization: normalization)
        }
        chosen.identities = identities?.selecting(indices)
        return chosen
    }
}

extension Dataset {
    /// A 64-bit fingerprint of the images, labels and shape (FNV-1a, not a
    /// security hash): data-parallel ranks compare theirs before training,
    /// so that ranks that loaded different data refuse to start.
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        for value in imageShape + [count] { withUnsafeBytes(of: Int64(value).littleEndian) { $0.forEach(add) } }
        pixels.withUnsafeBufferPointer { $0.forEach(add) }
        // A file-backed set: its paths below the root (so that machines that
        // mount the data elsewhere agree), not its gigabytes of images.
        for path in files?.paths ?? [] { path.dropFirst(files!.root.count).utf8.forEach(add); add(0) }
        for label in labels { withUnsafeBytes(of: label.littleEndian) { $0.forEach(add) } }
        for value in (identities?.ids ?? []) + (identities?.cameras ?? []) {
            withUnsafeBytes(of: value.littleEndian) { $0.forEach(add) }
        }
        return hash
    }
}
