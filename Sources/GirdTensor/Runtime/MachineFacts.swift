import CDNNL
import Foundation

/// What a result's last digits depend on besides the code and the seed: the
/// processor, the kernels the native libraries chose for it, and the thread
/// count. Runs record these (`run.json`), so that two figures that differ in
/// the tenths can be told apart by machine rather than by guess.
public enum MachineFacts {
    /// This toolkit's version, as `gird-repl --version` prints it.
    public static let toolVersion = "0.1.0"

    /// The processor's name from /proc/cpuinfo ("AMD EPYC", "Intel(R) Xeon(R) ..."), or "unknown".
    public static let cpuModel: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }()

    /// The instruction set oneDNN's kernels use here (its effective ISA).
    public static var oneDNNInstructionSet: String {
        let isa = dnnl_get_effective_cpu_isa()
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
            (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"), (dnnl_cpu_isa_avx512_core, "avx512_core"),
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_sse41, "sse41"), (dnnl_cpu_isa_all, "all"),
        ]
        return names.first { $0.0 == isa }?.1 ?? "isa 0x\(String(isa.rawValue, radix: 16))"
    }

    /// OpenBLAS's kernel family ("Zen", "SkylakeX", "Cooperlake").
    public static var openBLASKernel: String { ComputeThreads.openBLASCore }

    /// The libraries' versions, as `--version` prints them.
    public static var nativeLibraries: String { ComputeThreads.nativeLibraries }

    /// The compute threads in use (`--threads`).
    public static var threads: Int { ComputeThreads.count }
}
