import Foundation

/// One reader of untrusted input, as libFuzzer drives it: bytes in, and
/// either a result or a thrown error out. Anything else (a trap, a signal,
/// a hang, a leak) is a defect. `scripts/fuzz` runs one; the corpus tests
/// in `swift test` replay each target's committed inputs.
public struct FuzzTarget {
    public let name: String
    /// What it reads, for `scripts/fuzz --list`.
    public let summary: String
    /// The libFuzzer dictionary beside the corpora (`Tests/GirdFuzzingTests/Dictionaries/`), if any.
    public let dictionary: String?
    /// Reads the bytes. Throwing is a normal outcome: bad input must give an error.
    public let body: ([UInt8]) throws -> Void

    public init(_ name: String, _ summary: String, dictionary: String? = nil, body: @escaping ([UInt8]) throws -> Void) {
        self.name = name
        self.summary = summary
        self.dictionary = dictionary
        self.body = body
    }

    /// Runs the body and swallows the error a bad input should give.
    public func run(_ bytes: [UInt8]) {
        do { try body(bytes) } catch { _ = "\(error)" }
    }
}

/// A scratch folder of the process's own, where file-based readers get
/// their input (their path is what their errors name).
enum Scratch {
    static let directory: String = {
        let path = NSTemporaryDirectory() + "gird-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Writes `bytes` to `name` in the scratch folder (replacing it) and returns its path.
    static func file(_ name: String, _ bytes: [UInt8], in folder: String = directory) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A fresh empty folder inside the scratch folder.
    static func folder(_ name: String) throws -> String {
        let path = directory + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
