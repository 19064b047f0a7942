import Foundation

/// What the processor can do, read from /proc/cpuinfo (Linux only).
enum CPUFeatures {
    static let flags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }()

    /// The OpenBLAS kernel family for these features: AVX-512 with bf16
    /// (Cooperlake), AVX-512 (SkylakeX), AVX2 (Haswell); nil if none fits.
    static var bestOpenBLASKernel: String? {
        if flags.contains("avx512_bf16") && flags.contains("avx512bw") { return "Cooperlake" }
        if flags.contains("avx512f") && flags.contains("avx512bw") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }
}
