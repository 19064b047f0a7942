import GirdTensor
import GirdTrain

/// `reid_eval(...)`: the re-identification protocol (`ReIDEvaluation`) on
/// query and gallery embeddings.
extension BuiltinRegistry {
    static var reidBuiltins: [Builtin] {
        [
            Builtin("reid_eval", "query, query_ids, query_cams, gallery, gallery_ids, gallery_cams, *, metric: \"euclidean\"",
                    doc: "re-identification: each query ranks the gallery ([N, D] embeddings) by distance (\"euclidean\" or \"cosine\"), gallery images of its id and camera set aside; returns {map, rank1, rank5, rank10} (fractions) over the queries with a match",
                    computes: true) { arguments in
                let metricName = try arguments.choice("metric", among: ReIDEvaluation.Metric.allCases.map(\.rawValue))
                let distances = try ReIDEvaluation.distances(query: try arguments.tensor("query"), gallery: try arguments.tensor("gallery"),
                                                             metric: ReIDEvaluation.Metric(rawValue: metricName)!)
                let result: ReIDEvaluation.Result
                do {
                    result = try ReIDEvaluation.evaluate(
                        distances: distances, queryIDs: try labels(arguments, "query_ids"), queryCameras: try labels(arguments, "query_cams"),
                        galleryIDs: try labels(arguments, "gallery_ids"), galleryCameras: try labels(arguments, "gallery_cams"))
                } catch let error as TensorError {
                    throw BuiltinFailure("reid_eval(): \(error)")
                }
                return .record(Record([
                    ("map", .float(result.meanAveragePrecision)), ("rank1", .float(result.cmc[0])),
                    ("rank5", .float(result.cmc[4])), ("rank10", .float(result.cmc[9])),
                ]))
            },
        ]
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
