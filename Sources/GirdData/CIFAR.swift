/// CIFAR-10 and CIFAR-100, binary version (Krizhevsky, "Learning Multiple
/// Layers of Features from Tiny Images", 2009; https://www.cs.toronto.edu/~kriz/cifar.html).
/// A file is a run of records: the label byte(s), then 3072 bytes of one
/// 32x32 RGB image, the red plane first, already [C, H, W].
enum CIFAR {
    static let imageSize = 3 * 32 * 32

    /// The records of `paths`, appended in order; `labelBytes` lead each
    /// record and the one at `labelIndex` is kept, checked below `classCount`.
    static func read(_ paths: [String], labelBytes: Int, labelIndex: Int, classCount: Int,
                     hint: String) throws -> (pixels: [UInt8], labels: [Int64]) {
        let recordSize = labelBytes + imageSize
        var pixels: [UInt8] = [], labels: [Int64] = []
        for path in paths {
            let file = try DatasetFile.read(path, hint: hint)
            let records = file.count / recordSize
            guard file.count % recordSize == 0 else {
                throw file.malformed(
                    at: records * recordSize,
                    "record \(records) is cut short: \(file.count % recordSize) of its \(recordSize) bytes (the file has \(file.count) bytes, not a multiple of \(recordSize))")
            }
            pixels.reserveCapacity(pixels.count + records * imageSize)
            for record in 0..<records {
                let start = record * recordSize
                let label = file.bytes[start + labelIndex]
                guard Int(label) < classCount else {
                    throw file.malformed(at: start + labelIndex,
                                         "record \(record): label \(label) is out of range for \(classCount) classes (0...\(classCount - 1))")
                }
                labels.append(Int64(label))
                pixels += file.bytes[start + labelBytes..<start + recordSize]
            }
        }
        return (pixels, labels)
    }
}

/// Which of CIFAR-100's two labels to serve.
public enum CIFAR100Labels: String, Sendable {
    /// The 100 classes.
    case fine
    /// The 20 superclasses.
    case coarse
}

extension Dataset {
    public static let cifar10Classes = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]

    /// As `fine_label_names.txt` of the distribution lists them (alphabetical).
    public static let cifar100FineClasses = [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ]

    /// As `coarse_label_names.txt` lists them.
    public static let cifar100CoarseClasses = [
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
        "household_electrical_devices", "household_furniture", "insects", "large_carnivores",
        "large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
        "medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
        "vehicles_1", "vehicles_2",
    ]

    /// CIFAR-10 from `root`, the `cifar-10-batches-bin` folder of
    /// cifar-10-binary.tar.gz: `data_batch_1.bin` ... `data_batch_5.bin`
    /// (50000 images) or `test_batch.bin` (10000), 3x32x32.
    public static func cifar10(split: Split, root: String) throws -> Dataset {
        let names = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        let hint = "download cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) and pass root: its cifar-10-batches-bin folder"
        let read = try CIFAR.read(names.map { "\(root)/\($0)" }, labelBytes: 1, labelIndex: 0,
                                  classCount: cifar10Classes.count, hint: hint)
        return Dataset(unchecked: "CIFAR-10 (\(split.rawValue))", classes: cifar10Classes, imageShape: [3, 32, 32],
                       pixels: read.pixels, labels: read.labels, normalization: .cifar10)
    }

    /// CIFAR-100 from `root`, the `cifar-100-binary` folder of
    /// cifar-100-binary.tar.gz: `train.bin` (50000 images) or `test.bin`
    /// (10000), 3x32x32; each record holds the coarse then the fine label,
    /// and `labels` picks one (fine by default, as papers report).
    public static func cifar100(split: Split, root: String, labels: CIFAR100Labels = .fine) throws -> Dataset {
        let hint = "download cifar-100-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) and pass root: its cifar-100-binary folder"
        let classes = labels == .fine ? cifar100FineClasses : cifar100CoarseClasses
        let read = try CIFAR.read(["\(root)/\(split.rawValue).bin"], labelBytes: 2, labelIndex: labels == .fine ? 1 : 0,
                                  classCount: classes.count, hint: hint)
        return Dataset(unchecked: "CIFAR-100 (\(split.rawValue), \(labels.rawValue))", classes: classes,
                       imageShape: [3, 32, 32], pixels: read.pixels, labels: read.labels, normalization: .cifar100)
    }
}
