import CDNNL

enum DNNLVersion {
    static var text: String {
        let version = dnnl_version()!.pointee
        let runtime = version.cpu_runtime == 2 ? "OpenMP" : "runtime \(version.cpu_runtime)"
        return "oneDNN \(version.major).\(version.minor).\(version.patch) (\(runtime))"
    }
}
