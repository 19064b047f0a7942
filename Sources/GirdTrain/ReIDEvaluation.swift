import GirdTensor

/// The standard re-identification protocol (Market-1501's, used for
/// VeRi-776; torchreid's `eval_market1501`): each query ranks the gallery by
/// distance, gallery images with both the query's identity and its camera
/// are set aside, and over the queries that still have a match in the
/// gallery, the CMC curve (the fraction with a match within the first k)
/// and the mean average precision.
///
/// Ties in distance are broken by gallery order (a stable sort), where
/// torchreid's `np.argsort` leaves them to its quicksort; the reference
/// fixture of the tests uses the stable rule.
public enum ReIDEvaluation {
    public enum Metric: String, Sendable, CaseIterable {
        /// Squared Euclidean distance, |q|² + |g|² − 2 q·g (torchreid's).
        case euclidean
        /// 1 − cos(q, g).
        case cosine
    }

    public struct Result: Equatable, Sendable {
        /// Mean average precision over the queries with a match.
        public let meanAveragePrecision: Double
        /// cmc[k − 1]: the fraction of those queries with a match within rank k.
        public let cmc: [Double]
        /// The queries with at least one match left in the gallery.
        public let validQueries: Int

        public init(meanAveragePrecision: Double, cmc: [Double], validQueries: Int) {
            self.meanAveragePrecision = meanAveragePrecision
            self.cmc = cmc
            self.validQueries = validQueries
        }
    }

    /// The Q x G distances of [Q, D] query and [G, D] gallery embeddings, row-major.
    public static func distances(query: Tensor, gallery: Tensor, metric: Metric) throws -> [Float] {
        guard query.rank == 2, gallery.rank == 2, query.shape[1] == gallery.shape[1] else {
            throw TensorError.invalidArgument(
                op: "reid", message: "expected query [Q, D] and gallery [G, D] embeddings, got \(formatShape(query.shape)) and \(formatShape(gallery.shape))")
        }
        switch metric {
        case .euclidean:
            let products = try Tensor.matmul(query, gallery.transposed(0, 1)).toArray()
            let q = try (query * query).sum(axes: [1]).toArray(), g = try (gallery * gallery).sum(axes: [1]).toArray()
            let columns = g.count
            return products.indices.map { q[$0 / columns] + g[$0 % columns] - 2 * products[$0] }
        case .cosine:
            let products = try Tensor.matmul(query.l2Normalized(axis: 1), gallery.l2Normalized(axis: 1).transposed(0, 1)).toArray()
            return products.map { 1 - $0 }
        }
    }

    /// The protocol on a Q x G distance matrix (row-major). Throws when the
    /// sizes disagree or no query has a match in the gallery.
    public static func evaluate(distances: [Float], queryIDs: [Int64], queryCameras: [Int64], galleryIDs: [Int64],
                                galleryCameras: [Int64], maxRank: Int = 10) throws -> Result {
        let (queries, gallerySize) = (queryIDs.count, galleryIDs.count)
        guard queryCameras.count == queries, galleryCameras.count == gallerySize, distances.count == queries * gallerySize else {
            throw TensorError.invalidArgument(
                op: "reid", message: "\(queries) query ids and \(queryCameras.count) cameras, \(gallerySize) gallery ids and "
                    + "\(galleryCameras.count) cameras, and \(distances.count) distances do not agree")
        }
        guard maxRank >= 1 else { throw TensorError.invalidArgument(op: "reid", message: "maxRank must be at least 1") }
        var cmc = [Double](repeating: 0, count: maxRank)
        var precisionSum = 0.0, valid = 0
        for q in 0..<queries {
            // Same identity and same camera: not a fair match, set aside.
            let kept = ranking(distances: distances, row: q, galleryCount: gallerySize, queryID: queryIDs[q],
                               queryCamera: queryCameras[q], galleryIDs: galleryIDs, galleryCameras: galleryCameras)
            let matches = kept.map { galleryIDs[$0] == queryIDs[q] }
            guard let first = matches.firstIndex(of: true) else { continue }
            valid += 1
            for k in min(first, maxRank)..<maxRank { cmc[k] += 1 }
            var found = 0, precision = 0.0
            for (rank, match) in matches.enumerated() where match {
                found += 1
                precision += Double(found) / Double(rank + 1)
            }
            precisionSum += precision / Double(found)
        }
        guard valid > 0 else {
            throw TensorError.invalidArgument(op: "reid", message: "no query identity appears in the gallery (from another camera)")
        }
        return Result(meanAveragePrecision: precisionSum / Double(valid), cmc: cmc.map { $0 / Double(valid) }, validQueries: valid)
    }
}
