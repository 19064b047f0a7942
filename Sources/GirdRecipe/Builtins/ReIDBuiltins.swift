import GirdData
import GirdNN
import GirdTensor
import GirdTrain
import GirdView

/// Re-identification: `veri776(...)` and its images' identities and
/// cameras, `reid_eval(...)` (the protocol, `ReIDEvaluation`, on query and
/// gallery embeddings) and `reid_strip(...)` (a query's top matches as a PNG).
/// `evaluate(m, query, gallery)` is in the data group with `evaluate`'s other form.
extension BuiltinRegistry {
    static var reidDataBuiltins: [Builtin] {
        [
            Builtin("veri776", "root, split: \"train\", size: 256, *, scaled_decoding: true", doc: "VeRi-776 as distributed (root/image_train, image_query, image_test with VVVV_cCCC_TTTTTTTT_N.jpg files; name_*.txt lists when present); split \"train\", \"query\" or \"gallery\"; each photo resized to size x size, read from disk as batches need it; d.ids and d.cameras give each image's vehicle id and camera; ImageNet's normalisation") { arguments in
                let root = try arguments.string("root"), size = try arguments.int("size")
                let split = try arguments.choice("split", among: ["train", "query", "gallery"])
                let scaled = try arguments.bool("scaled_decoding")
                let dataset = try Dataset.veri776(root: root, split: split, size: size, scaledDecoding: scaled)
                return .object(DatasetObject(dataset: dataset, source: .veri776(root: root, split: split, size: size, scaledDecoding: scaled)))
            },
            Builtin(property: "ids", of: "dataset", doc: "each image's identity (a re-ID set's vehicle ids, as the files name them), int64 [N]") { arguments in
                let ids = try identities(arguments).ids
                return .tensor(try Tensor(shape: [ids.count], indices: ids))
            },
            Builtin(property: "cameras", of: "dataset", doc: "each image's camera (c001 is 1) in a re-ID set, int64 [N]") { arguments in
                let cameras = try identities(arguments).cameras
                return .tensor(try Tensor(shape: [cameras.count], indices: cameras))
            },
        ]
    }

    static var reidBuiltins: [Builtin] {
        [
            Builtin("reid_strip", "m, query, gallery, index, path, *, top: 10, metric: \"euclidean\"",
                    doc: "writes query image `index` and its top gallery matches as a PNG strip (query framed blue, the same vehicle green, others red; the query's own camera's images of its vehicle left out, as the protocol does); returns the gallery indices shown",
                    computes: true) { arguments in
                let model = try arguments.model("m"), path = try arguments.writablePath("path")
                let query = try arguments.dataset("query"), gallery = try arguments.dataset("gallery")
                let index = try arguments.int("index"), top = try arguments.int("top")
                guard (0..<query.count).contains(index) else {
                    throw BuiltinFailure("reid_strip(): index \(index) is out of range for \(query.count) query images")
                }
                guard (1...50).contains(top) else { throw BuiltinFailure("reid_strip(): top must be in 1...50, got \(top)") }
                let metric = try arguments.reidMetric()
                guard let queryIdentities = query.identities, let galleryIdentities = gallery.identities else {
                    throw BuiltinFailure("reid_strip(): query and gallery must be re-ID sets (veri776(..., split: \"query\") and \"gallery\")")
                }
                if arguments.context.isDryRun {
                    try BuiltinRegistry.checkWritableFolder(of: path, builtin: "reid_strip")
                    return .list([])
                }
                let threads = BuiltinRegistry.defaultLoaderThreads
                let shown: [Int] = try arguments.context.interruptible(at: arguments.span) {
                    let queryOne = try query.subset(indices: [index])
                    let distances = try ReIDEvaluation.distances(
                        query: try ReIDEvaluation.embeddings(model, of: queryOne, threads: threads),
                        gallery: try ReIDEvaluation.embeddings(model, of: gallery, threads: threads), metric: metric)
                    let ranked = ReIDEvaluation.ranking(
                        distances: distances, row: 0, galleryCount: gallery.count, queryID: queryIdentities.ids[index],
                        queryCamera: queryIdentities.cameras[index], galleryIDs: galleryIdentities.ids,
                        galleryCameras: galleryIdentities.cameras)
                    return Array(ranked.prefix(top))
                }
                func tile(_ data: Dataset, _ i: Int, _ frame: RGB) throws -> ImageStripPNG.Tile {
                    ImageStripPNG.Tile(pixels: try data.image(i), channels: data.imageShape[0], height: data.imageShape[1],
                                       width: data.imageShape[2], frame: frame)
                }
                var tiles = [try tile(query, index, ImageStripPNG.query)]
                for g in shown {
                    let same = galleryIdentities.ids[g] == queryIdentities.ids[index]
                    tiles.append(try tile(gallery, g, same ? ImageStripPNG.match : ImageStripPNG.mismatch))
                }
                try ImageStripPNG.write(tiles, to: path)
                return .list(shown.map { .int(Int64($0)) })
            },
            Builtin("reid_eval", "query, query_ids, query_cams, gallery, gallery_ids, gallery_cams, *, metric: \"euclidean\"",
                    doc: "re-identification: each query ranks the gallery ([N, D] embeddings) by distance (\"euclidean\" or \"cosine\"), gallery images of its id and camera set aside; returns {map, rank1, rank5, rank10} (fractions) over the queries with a match",
                    computes: true) { arguments in
                let distances = try ReIDEvaluation.distances(query: try arguments.tensor("query"), gallery: try arguments.tensor("gallery"),
                                                             metric: try arguments.reidMetric())
                let result: ReIDEvaluation.Result
                do {
                    result = try ReIDEvaluation.evaluate(
                        distances: distances, queryIDs: try labels(arguments, "query_ids"), queryCameras: try labels(arguments, "query_cams"),
                        galleryIDs: try labels(arguments, "gallery_ids"), galleryCameras: try labels(arguments, "gallery_cams"))
                } catch let error as TensorError {
                    throw BuiltinFailure("reid_eval(): \(error)")
                }
                return .record(reidRecord(result))
            },
        ]
    }

    /// `{map, rank1, rank5, rank10}`, fractions.
    static func reidRecord(_ result: ReIDEvaluation.Result) -> Record {
        Record([("map", .float(result.meanAveragePrecision)), ("rank1", .float(result.cmc[0])),
                ("rank5", .float(result.cmc[4])), ("rank10", .float(result.cmc[9]))])
    }

    private static func identities(_ arguments: BuiltinArguments) throws -> Identities {
        let data = try arguments.receiverObject(as: DatasetObject.self).dataset
        guard let identities = data.identities else {
            throw BuiltinFailure("\(arguments.builtin.name): '\(data.name)' is not a re-ID set (its images have no identities and cameras; veri776(...) has)")
        }
        return identities
    }

    /// Ids or cameras: an int64 tensor or a list of ints.
    private static func labels(_ arguments: BuiltinArguments, _ name: String) throws -> [Int64] {
        switch arguments[name] {
        case .tensor(let tensor) where tensor.dtype == .int64 && tensor.rank == 1: return tensor.toIndices()
        case .list(let items):
            return try items.map {
                guard case .int(let value) = $0 else { throw BuiltinFailure("reid_eval(): \(name) must be a list of ints") }
                return value
            }
        case let other:
            throw BuiltinFailure("reid_eval(): \(name) must be a 1-D int64 tensor or a list of ints, got a \(other.typeName)")
        }
    }
}

extension BuiltinArguments {
    /// The argument `metric`: "euclidean" or "cosine".
    func reidMetric() throws -> ReIDEvaluation.Metric {
        ReIDEvaluation.Metric(rawValue: try choice("metric", among: ReIDEvaluation.Metric.allCases.map(\.rawValue)))!
    }
}
