import GirdTensor

extension Dataset {
    /// Any pair of IDX files laid out as MNIST's (images: unsigned bytes, 3
    /// dimensions; labels: unsigned bytes, 1 dimension), gzip-compressed or
    /// not, labels below `classes`. Images are zero-padded by `padding` on
    /// each side (2 turns 28x28 into the zoo's 32x32) and normalised with
    /// mean 0.5, std 0.5 (the files' own statistics are unknown).
    public static func idx(images: String, labels: String, classes: Int = 10, padding: Int = 2) throws -> Dataset {
        guard classes > 0, padding >= 0 else {
            throw TensorError.invalidArgument(op: "idx", message: "classes must be positive and padding non-negative, got \(classes) and \(padding)")
        }
        return try IDX.dataset(name: "IDX", classes: (0..<classes).map(String.init), images: images, labels: labels,
                               padding: padding, hint: "check the paths given to idx(images:, labels:)",
                               normalization: Normalization(mean: [0.5], std: [0.5]))
    }
}
