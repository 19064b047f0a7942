/// Who each image of a re-identification set shows and which camera took
/// it: what the retrieval protocol compares (`ReIDEvaluation`) and what P x K
/// sampling groups by (`IdentitySampling`).
///
/// `ids` are the identities as the files name them (VeRi-776's vehicle ids,
/// 1...776), not class indices: a training set's `labels` are those ids
/// numbered 0..<classes in sorted order, while a query set and its gallery
/// share their ids (and differ in labels). `cameras` are the files' camera
/// numbers (`c001` is 1).
public struct Identities: Equatable, Sendable {
    public let ids: [Int64]
    public let cameras: [Int64]

    /// For the readers, which give every image one of each.
    init(ids: [Int64], cameras: [Int64]) {
        self.ids = ids
        self.cameras = cameras
    }

    func selecting(_ indices: [Int]) -> Identities {
        Identities(ids: indices.map { ids[$0] }, cameras: indices.map { cameras[$0] })
    }
}
