import GirdData
import GirdNN
import GirdTensor

extension ReIDEvaluation {
    /// The tap a model retrieves with: `neck` (after the BN neck, the re-ID
    /// strong baseline's test feature) when the model has a re-ID head,
    /// else the pooled `embedding`.
    public static func retrievalTap(of model: Network) -> String {
        model.tapNames.contains("neck") ? "neck" : "embedding"
    }

    /// The [N, D] features of every image of `dataset`, in order, at `tap`
    /// (default `retrievalTap(of:)`), in eval mode without gradients; the
    /// model's mode is restored.
    public static func embeddings(_ model: Network, of dataset: Dataset, tap: String? = nil, batchSize: Int = 256,
                                  threads: Int = 1) throws -> Tensor {
        guard batchSize > 0, dataset.count > 0 else {
            throw TensorError.invalidArgument(
                op: "reid", message: "need a positive batch size and images, got \(batchSize) and \(dataset.count) images of '\(dataset.name)'")
        }
        let tap = tap ?? retrievalTap(of: model)
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        return try GradMode.withoutGradient {
            var parts: [Tensor] = []
            for start in stride(from: 0, to: dataset.count, by: batchSize) {
                let (images, _) = try dataset.batch(indices: Array(start..<min(start + batchSize, dataset.count)),
                                                    normalized: true, threads: threads)
                parts.append(try model.forward(images, taps: [tap]).features[tap]!.flattened(from: 1))
            }
            return parts.count == 1 ? parts[0] : try Tensor.concatenated(parts, axis: 0)
        }
    }

    /// The protocol for `model` on a query set and its gallery (both with
    /// `identities`, as `Dataset.veri776` gives them): their embeddings, the
    /// distances and `evaluate(distances:...)`.
    public static func evaluate(_ model: Network, query: Dataset, gallery: Dataset, metric: Metric = .euclidean,
                                batchSize: Int = 256, threads: Int = 1) throws -> Result {
        let (queryIdentities, galleryIdentities) = try (identities(of: query), identities(of: gallery))
        let distances = try distances(query: embeddings(model, of: query, batchSize: batchSize, threads: threads),
                                      gallery: embeddings(model, of: gallery, batchSize: batchSize, threads: threads), metric: metric)
        return try evaluate(distances: distances, queryIDs: queryIdentities.ids, queryCameras: queryIdentities.cameras,
                            galleryIDs: galleryIdentities.ids, galleryCameras: galleryIdentities.cameras)
    }

    /// The gallery positions in the order query row `row` of `distances`
    /// ranks them (ties by gallery order), without the images of the
    /// query's identity and camera: what a user looks at first.
    public static func ranking(distances: [Float], row: Int, galleryCount: Int, queryID: Int64, queryCamera: Int64,
                               galleryIDs: [Int64], galleryCameras: [Int64]) -> [Int] {
        let start = row * galleryCount
        return (0..<galleryCount)
            .sorted { distances[start + $0] != distances[start + $1] ? distances[start + $0] < distances[start + $1] : $0 < $1 }
            .filter { !(galleryIDs[$0] == queryID && galleryCameras[$0] == queryCamera) }
    }

    static func identities(of dataset: Dataset) throws -> Identities {
        guard let identities = dataset.identities else {
            throw TensorError.invalidArgument(
                op: "reid", message: "'\(dataset.name)' has no identities and cameras (a re-ID set such as veri776(root, split: \"query\"))")
        }
        return identities
    }
}
