import GirdNN

/// The layers RepDistiller's methods read, named for any network of the zoo
/// (their `feat` lists: the stem, each stage's output, the embedding).
public enum DefaultTaps {
    /// `stageK` outputs after the ReLU, shallow to deep.
    public static func stages(of network: Network) -> [String] {
        network.tapNames.filter { $0.hasPrefix("stage") && !$0.hasSuffix(".preact") }
    }

    /// The stem and every stage output: RepDistiller's `feat[:-1]`, and
    /// GIRD's default layers.
    public static func stemAndStages(of network: Network) -> [String] {
        (network.tapNames.contains("stem") ? ["stem"] : []) + stages(of: network)
    }

    /// The last stage's output (`feat[-2]`: SP, VID's deepest pair, FitNet's hint).
    public static func lastStage(of network: Network) -> String {
        stages(of: network).last ?? "embedding"
    }

    /// The same layers before their final ReLU where the network has them
    /// (`preact=True`, which AT and FitNet's hint read in some setups).
    public static func preactivated(_ taps: [String], of network: Network) -> [String] {
        let known = Set(network.tapNames)
        return taps.map { known.contains($0 + ".preact") ? $0 + ".preact" : $0 }
    }

    /// Checks that `taps` exist in `network`; the error lists the ones it has.
    public static func check(_ taps: [String], in network: Network) throws {
        let known = Set(network.tapNames)
        if let unknown = taps.first(where: { !known.contains($0) }) {
            throw NetworkError.unknownTap(network: network.name, tap: unknown, available: network.tapNames)
        }
    }
}
