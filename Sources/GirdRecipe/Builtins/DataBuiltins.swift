import Foundation
import GirdData
import GirdNN
import GirdTensor
import GirdTrain

/// A dataset held by a recipe.
public final class DatasetObject: RecipeObject {
    public let dataset: Dataset
    /// Where it came from, so that a run can record it and `resume` load it again.
    public let source: DatasetSource

    public init(dataset: Dataset, source: DatasetSource) {
        self.dataset = dataset
        self.source = source
    }

    public var typeName: String { "dataset" }
    public var summary: String {
        "<dataset \(dataset.name): \(dataset.count) images \(formatShape(dataset.imageShape)), \(dataset.classes.count) classes>"
    }

    public func field(_ name: String) -> Value? {
        switch name {
        case "count": return .int(Int64(dataset.count))
        case "name": return .string(dataset.name)
        default: return nil
        }
    }
}

extension BuiltinArguments {
    /// The argument called `name` as a dataset.
    public func dataset(_ name: String) throws -> Dataset {
        try object(name, as: DatasetObject.self, named: "dataset").dataset
    }

    /// The argument called `name` as a split name.
    public func split(_ name: String) throws -> Split {
        let text = try choice(name, among: [Split.train.rawValue, Split.test.rawValue])
        return Split(rawValue: text)!
    }
}

extension BuiltinRegistry {
    static var dataBuiltins: [Builtin] {
        [
            Builtin("fashion_mnist", "split: \"train\", root: none", doc: "Fashion-MNIST as 1x32x32 images (Debian's dataset-fashion-mnist files unless root: says otherwise)") { arguments in
                let split = try arguments.split("split"), root = try arguments.optionalString("root")
                return .object(DatasetObject(dataset: try Dataset.fashionMNIST(split: split, root: root),
                                             source: .fashionMNIST(split: split.rawValue, root: root)))
            },
            Builtin("cifar10", "root, split: \"train\"", doc: "CIFAR-10 from its binary files in root") { arguments in
                let split = try arguments.split("split"), root = try arguments.string("root")
                return .object(DatasetObject(dataset: try Dataset.cifar10(split: split, root: root),
                                             source: .cifar10(root: root, split: split.rawValue)))
            },
            Builtin("cifar100", "root, split: \"train\", labels: \"fine\"", doc: "CIFAR-100 from its binary files in root (labels: \"fine\" or \"coarse\")") { arguments in
                let labels = CIFAR100Labels(rawValue: try arguments.choice("labels", among: ["fine", "coarse"]))!
                let split = try arguments.split("split"), root = try arguments.string("root")
                return .object(DatasetObject(dataset: try Dataset.cifar100(split: split, root: root, labels: labels),
                                             source: .cifar100(root: root, split: split.rawValue, labels: labels.rawValue)))
            },
            Builtin("image_folder", "root, size: 32, channels: 3", doc: "a torchvision ImageFolder tree (one folder per class; PNG/JPEG resized and centre-cropped to size)") { arguments in
                let size = try arguments.int("size"), channels = try arguments.int("channels")
                guard size > 0, size <= 4096 else {
                    throw BuiltinFailure("image_folder(): size must be in 1...4096, got \(size) (the side of the square the images are resized to; every image is held in memory at that size)")
                }
                guard channels == 1 || channels == 3 else { throw BuiltinFailure("image_folder(): channels must be 1 or 3, got \(channels)") }
                let root = try arguments.string("root")
                let dataset = try arguments.context.interruptible(at: arguments.span) {
                    try Dataset.imageFolder(root: root, size: size, channels: channels, threads: BuiltinRegistry.defaultLoaderThreads)
                }
                return .object(DatasetObject(dataset: dataset,
                                             source: .imageFolder(root: root, size: size, channels: channels)))
            },
            Builtin("imagenet", "root, split: \"train\", size: 224, *, resize: none, scaled_decoding: true", doc: "ILSVRC-2012 as torchvision's ImageFolder reads it (root/train/<wnid>/*.JPEG, root/val/<wnid>/*.JPEG), read from disk as batches need it: Resize(resize, default size/0.875) + CenterCrop(size), or augment: [\"random_resized_crop\", \"flip\"] for training; ImageNet's normalisation") { arguments in
                let root = try arguments.string("root"), size = try arguments.int("size")
                let split = try arguments.choice("split", among: ["train", "val"])
                let resize = try arguments.optionalInt("resize"), scaled = try arguments.bool("scaled_decoding")
                let dataset = try Dataset.imagenet(root: root, split: split, size: size, resize: resize, scaledDecoding: scaled)
                return .object(DatasetObject(dataset: dataset, source: .imagenet(root: root, split: split, size: size,
                                                                                 resize: dataset.files!.resize, scaledDecoding: scaled)))
            },
            Builtin("tiny_imagenet", "root, split: \"train\", size: 64", doc: "Tiny ImageNet as distributed (wnids.txt, train/<wnid>/images/, val/images/ with val/val_annotations.txt), 200 classes, decoded into memory; ImageNet's normalisation") { arguments in
                let root = try arguments.string("root"), size = try arguments.int("size")
                let split = try arguments.choice("split", among: ["train", "val"])
                let dataset = try arguments.context.interruptible(at: arguments.span) {
                    try Dataset.tinyImageNet(root: root, split: split, size: size, threads: BuiltinRegistry.defaultLoaderThreads)
                }
                return .object(DatasetObject(dataset: dataset, source: .tinyImageNet(root: root, split: split, size: size)))
            },
            Builtin("idx", "*, images, labels, classes: 10", doc: "a pair of IDX files (MNIST layout), images zero-padded to 32x32") { arguments in
                let images = try arguments.string("images"), labels = try arguments.string("labels"), classes = try arguments.int("classes")
                guard classes >= 1 else { throw BuiltinFailure("idx(): classes must be at least 1, got \(classes)") }
                guard classes <= BuiltinRegistry.maximumClasses else {
                    throw BuiltinFailure("idx(): classes must be in 1...\(BuiltinRegistry.maximumClasses), got \(classes) (\(BuiltinRegistry.classesLimitReason))")
                }
                return .object(DatasetObject(dataset: try Dataset.idx(images: images, labels: labels, classes: classes),
                                             source: .idx(images: images, labels: labels, classes: classes)))
            },
            Builtin("evaluate", "m, data, gallery: none, *, batch_size: 256, metric: \"euclidean\"", doc: "top-1, top-5 (fractions) and mean cross-entropy of a model on a dataset, in eval mode; with a gallery (data then the query set of a re-ID set such as veri776), the re-ID protocol on the model's retrieval features (neck, else embedding): {map, rank1, rank5, rank10}", computes: true) { arguments in
                let batchSize = try arguments.int("batch_size")
                guard batchSize >= 1, batchSize <= 65_536 else {
                    throw BuiltinFailure("evaluate(): batch_size must be in 1...65536, got \(batchSize) (a batch's activations are held in memory at once; the figures do not depend on it)")
                }
                let (model, data) = (try arguments.model("m"), try arguments.dataset("data"))
                if case .none = arguments["gallery"] {
                    let threads = data.files != nil ? BuiltinRegistry.defaultLoaderThreads : 1
                    let result = try arguments.context.interruptible(at: arguments.span) {
                        try Evaluation.evaluate(model, on: data, batchSize: batchSize, threads: threads)
                    }
                    return .record(Record([("top1", .float(result.top1)), ("top5", .float(result.top5)), ("loss", .float(result.loss))]))
                }
                let gallery = try arguments.dataset("gallery")
                let metric = try arguments.reidMetric()
                let threads = BuiltinRegistry.defaultLoaderThreads
                if arguments.context.isDryRun {
                    // The sets are checked; the whole gallery's forward passes are what a real run is for.
                    guard data.identities != nil, gallery.identities != nil else {
                        throw BuiltinFailure("evaluate(): with a gallery, data and gallery must be re-ID sets (veri776(..., split: \"query\") and \"gallery\")")
                    }
                    return .record(BuiltinRegistry.reidRecord(ReIDEvaluation.Result(meanAveragePrecision: 0, cmc: Array(repeating: 0, count: 10), validQueries: 0)))
                }
                do {
                    let result = try arguments.context.interruptible(at: arguments.span) {
                        try ReIDEvaluation.evaluate(model, query: data, gallery: gallery, metric: metric, batchSize: batchSize, threads: threads)
                    }
                    return .record(BuiltinRegistry.reidRecord(result))
                } catch let error as TensorError {
                    throw BuiltinFailure("evaluate(): \(error)")
                }
            },
            Builtin(method: "subset", of: "dataset", "n, *, seed: 0, stratified: true", doc: "n images chosen deterministically by seed (each class keeps its share when stratified)") { arguments in
                let object = try arguments.receiverObject(as: DatasetObject.self)
                let (n, seed, stratified) = try subsetChoice(arguments)
                return .object(DatasetObject(dataset: try object.dataset.subset(n, seed: seed, stratified: stratified),
                                             source: .subset(of: object.source, count: n, seed: seed, stratified: stratified)))
            },
            Builtin(method: "split", of: "dataset", "n, *, seed: 0, stratified: true", doc: "two disjoint datasets: [subset(n, seed:, stratified:), the other images] (e.g. a validation split carved from a training set)") { arguments in
                let object = try arguments.receiverObject(as: DatasetObject.self), data = object.dataset
                let (n, seed, stratified) = try subsetChoice(arguments)
                let taken = DatasetObject(dataset: try data.subset(n, seed: seed, stratified: stratified),
                                          source: .subset(of: object.source, count: n, seed: seed, stratified: stratified))
                let others = DatasetObject(dataset: try data.rest(n, seed: seed, stratified: stratified),
                                           source: .rest(of: object.source, count: n, seed: seed, stratified: stratified))
                return .list([.object(taken), .object(others)])
            },
            Builtin(property: "classes", of: "dataset", doc: "the class names, in label order") { arguments in
                .list(try arguments.receiverObject(as: DatasetObject.self).dataset.classes.map { .string($0) })
            },
            Builtin(method: "batch", of: "dataset", "indices, *, normalized: true", doc: "images [N, C, 32, 32] and int64 labels of the given indices, as {images, labels}") { arguments in
                let data = try arguments.receiverObject(as: DatasetObject.self).dataset
                let indices = try arguments.ints("indices")
                guard let bad = indices.first(where: { $0 < 0 || $0 >= data.count }) .map({ Optional($0) }) ?? nil else {
                    try MemoryLimit.check([indices.count] + data.imageShape, what: "batch(): \(indices.count) images of \(formatShape(data.imageShape))")
                    let (images, labels) = try data.batch(indices: indices, normalized: try arguments.bool("normalized"))
                    return .record(Record([("images", .tensor(images)), ("labels", .tensor(labels))]))
                }
                throw BuiltinFailure("batch(): index \(bad) out of range (the dataset has \(data.count) images)")
            },
        ]
    }
}

extension BuiltinRegistry {
    /// The most classes a model or a dataset of a recipe may have, and why.
    static let maximumClasses = 100_000
    /// Threads that decode a file-backed set's images (ImageNet) when the
    /// recipe does not say: the cores this process may use, at most 16.
    static var defaultLoaderThreads: Int { max(1, min(16, ProcessInfo.processInfo.activeProcessorCount)) }
    static let classesLimitReason = "more classes than any dataset has; a bound so that a mistyped count fails here instead of exhausting memory"

    /// `subset` and `split`'s shared arguments `n, seed:, stratified:`, checked.
    fileprivate static func subsetChoice(_ arguments: BuiltinArguments) throws -> (n: Int, seed: UInt64, stratified: Bool) {
        let name = arguments.builtin.name, n = try arguments.int("n"), seed = try arguments.int("seed")
        guard n >= 0 else { throw BuiltinFailure("\(name)(): n must be non-negative, got \(n)") }
        // n beyond the dataset is refused by the engine before it allocates
        // ("cannot take a subset of 10001 images from 10000").
        guard seed >= 0 else { throw BuiltinFailure("\(name)(): seed must be non-negative, got \(seed)") }
        return (n, UInt64(seed), try arguments.bool("stratified"))
    }
}
