/// IDX, the format of MNIST and Fashion-MNIST (LeCun et al.,
/// http://yann.lecun.com/exdb/mnist/): a big-endian header, magic number
/// 0x000008DD (0x08: unsigned bytes, DD: how many dimensions), one 32-bit
/// size per dimension, then the bytes. Images are 0x00000803 (count, rows,
/// columns), labels 0x00000801 (count). Files may be gzip-compressed, as
/// they are distributed.
enum IDX {
    /// The images of `path`, each zero-padded by `padding` on every side,
    /// as bytes [count, 1, rows + 2·padding, columns + 2·padding].
    static func readImages(_ path: String, padding: Int, hint: String) throws -> (count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        let file = try DatasetFile.read(path, hint: hint)
        let sizes = try header(of: file, magic: 0x0000_0803, what: "IDX images: unsigned bytes, 3 dimensions")
        let (count, rows, columns) = (sizes[0], sizes[1], sizes[2])
        // Images of no pixels would pass the size check below with any
        // count, and their padded copies could still fill the memory
        // (found by fuzzing: 2127 images of 0 x 525056).
        guard rows > 0, columns > 0 else {
            throw file.malformed(at: 8, "the header claims images of \(rows)x\(columns) pixels; an image needs at least one")
        }
        let (imageSize, overflow1) = rows.multipliedReportingOverflow(by: columns)
        let (total, overflow2) = count.multipliedReportingOverflow(by: imageSize)
        guard !overflow1, !overflow2, total == file.count - 16 else {
            let claimed = overflow1 || overflow2 ? "more than \(Int.max)" : "\(total)"
            throw file.malformed(at: 16, "the header claims \(count) images of \(rows)x\(columns) (\(claimed) bytes) but \(file.count - 16) bytes follow")
        }
        let outRows = rows + 2 * padding, outColumns = columns + 2 * padding
        var pixels = [UInt8](repeating: 0, count: count * outRows * outColumns)
        file.bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { destination in
                for image in 0..<count {
                    for row in 0..<rows {
                        let from = 16 + (image * rows + row) * columns
                        let to = (image * outRows + row + padding) * outColumns + padding
                        for column in 0..<columns { destination[to + column] = source[from + column] }
                    }
                }
            }
        }
        return (count, rows, columns, pixels)
    }

    /// The labels of `path`, each checked to be below `classCount`.
    static func readLabels(_ path: String, classCount: Int, hint: String) throws -> [Int64] {
        let file = try DatasetFile.read(path, hint: hint)
        let count = try header(of: file, magic: 0x0000_0801, what: "IDX labels: unsigned bytes, 1 dimension")[0]
        guard count == file.count - 8 else {
            throw file.malformed(at: 8, "the header claims \(count) labels but \(file.count - 8) bytes follow")
        }
        var labels = [Int64](repeating: 0, count: count)
        for index in 0..<count {
            let label = file.bytes[8 + index]
            guard Int(label) < classCount else {
                throw file.malformed(at: 8 + index, "label \(label) of image \(index) is out of range for \(classCount) classes (0...\(classCount - 1))")
            }
            labels[index] = Int64(label)
        }
        return labels
    }

    /// The sizes that follow the magic number, once it is checked.
    private static func header(of file: DatasetFile, magic expected: UInt32, what: String) throws -> [Int] {
        let magic = try file.bigEndianUInt32(at: 0, for: "the magic number")
        guard magic == expected else {
            throw file.malformed(at: 0, "magic number \(hex(magic)) is not \(hex(expected)) (\(what))")
        }
        let dimensions = Int(expected & 0xFF)
        return try (0..<dimensions).map { Int(try file.bigEndianUInt32(at: 4 + 4 * $0, for: "size \($0 + 1) of the header")) }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// An images file and a labels file as one dataset, their counts checked against each other.
    static func dataset(name: String, classes: [String], images: String, labels: String, padding: Int,
                        hint: String, normalization: Normalization) throws -> Dataset {
        let read = try readImages(images, padding: padding, hint: hint)
        let labelValues = try readLabels(labels, classCount: classes.count, hint: hint)
        guard labelValues.count == read.count else {
            let file = try DatasetFile.read(labels, hint: hint)
            throw file.malformed(at: 4, "\(labelValues.count) labels but \(images) holds \(read.count) images")
        }
        return Dataset(unchecked: name, classes: classes,
                       imageShape: [1, read.rows + 2 * padding, read.columns + 2 * padding],
                       pixels: read.pixels, labels: labelValues, normalization: normalization)
    }
}

extension Dataset {
    /// Where Debian's `dataset-fashion-mnist` package puts the files.
    public static let fashionMNISTDefaultRoot = "/usr/share/datasets/fashion-mnist"

    public static let fashionMNISTClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017): 60000 training and 10000
    /// test images of 28x28, served zero-padded by 2 to 1x32x32 so that the
    /// zoo's 32x32 models apply unchanged. `root` is a folder holding
    /// `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`; by default the
    /// Debian package's.
    public static func fashionMNIST(split: Split, root: String? = nil) throws -> Dataset {
        let hint = "install it with `apt-get install dataset-fashion-mnist`, or pass root: a folder holding the files"
        return try idxPair(name: "Fashion-MNIST", split: split, root: root ?? fashionMNISTDefaultRoot, hint: hint,
                           classes: fashionMNISTClasses, normalization: .fashionMNIST)
    }

    /// MNIST (LeCun et al.), the same layout as `fashionMNIST` from the
    /// files of http://yann.lecun.com/exdb/mnist/ in `root` (Debian has no package).
    public static func mnist(split: Split, root: String) throws -> Dataset {
        let hint = "download {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (http://yann.lecun.com/exdb/mnist/) into root:"
        return try idxPair(name: "MNIST", split: split, root: root, hint: hint,
                           classes: (0..<10).map(String.init), normalization: .mnist)
    }

    /// Prefers `NAME.gz`, as distributed, and takes an uncompressed `NAME` if that is what is there.
    private static func idxPair(name: String, split: Split, root: String, hint: String, classes: [String],
                                normalization: Normalization) throws -> Dataset {
        let prefix = split == .train ? "train" : "t10k"
        func path(_ base: String) -> String {
            let plain = "\(root)/\(prefix)-\(base)-ubyte"
            return !fileExists(plain + ".gz") && fileExists(plain) ? plain : plain + ".gz"
        }
        return try IDX.dataset(name: "\(name) (\(split.rawValue))", classes: classes,
                               images: path("images-idx3"), labels: path("labels-idx1"),
                               padding: 2, hint: hint, normalization: normalization)
    }
}
