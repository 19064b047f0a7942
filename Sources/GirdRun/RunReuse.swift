import Foundation
import GirdNN

/// `reuse`: a run directory that already holds this very run is not trained
/// again. A finished run gives its stored result (and its final weights to
/// the model); an interrupted one continues from its checkpoint,
/// bit-exactly. That is what makes a long study resumable: run it again and
/// only what is missing runs.
enum RunReuse {
    enum Decision: Equatable, Codable {
        /// Nothing usable there: train from the start.
        case fresh
        /// Continue (or, when every epoch is done, only read) this checkpoint.
        case resume(checkpoint: String, finished: Bool)
    }

    /// What to do with `directory` for a run of `specification` with
    /// `teacher`. A directory holding another run (other settings, data or
    /// teacher weights) is an error, never overwritten.
    static func decide(directory: String, specification: RunSpecification, teacher: Network?) throws -> Decision {
        let manager = FileManager.default
        guard manager.fileExists(atPath: directory + "/" + RunSpecification.fileName) else { return .fresh }
        let stored = try RunFile.read(from: directory).specification
        if stored != specification {
            throw RunError.differentRun(directory: directory, fields: differingFields(stored, specification))
        }
        if let teacher, try !sameTeacher(teacher, directory: directory) {
            throw RunError.differentTeacher(directory: directory)
        }
        let checkpoint = directory + "/checkpoint.safetensors"
        guard manager.fileExists(atPath: checkpoint) else { return .fresh }
        return .resume(checkpoint: checkpoint, finished: finishedEpochs(directory: directory) >= specification.epochs)
    }

    /// The top-level fields of run.json whose values differ.
    static func differingFields(_ a: RunSpecification, _ b: RunSpecification) -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let left = (try? encoder.encode(a)).flatMap({ try? JSONSerialization.jsonObject(with: $0) }) as? [String: Any],
              let right = (try? encoder.encode(b)).flatMap({ try? JSONSerialization.jsonObject(with: $0) }) as? [String: Any]
        else { return ["(unreadable)"] }
        let keys = Set(left.keys).union(right.keys).sorted()
        let differing = keys.filter { key in
            switch (left[key], right[key]) {
            case let (l?, r?): return canonical(l) != canonical(r)
            case (nil, nil): return false
            default: return true
            }
        }
        return differing.isEmpty ? ["(field order)"] : differing
    }

    private static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    /// Whether the teacher saved with the run has exactly these weights:
    /// the same bytes as saving `teacher` now.
    private static func sameTeacher(_ teacher: Network, directory: String) throws -> Bool {
        let stored = directory + "/" + RunSpecification.teacherWeights
        guard let old = FileManager.default.contents(atPath: stored) else { return false }
        let probe = directory + "/.teacher-check-\(getpid()).safetensors"
        defer { unlink(probe) }
        try teacher.saveWeights(to: probe)
        return FileManager.default.contents(atPath: probe) == old
    }

    /// Lines of metrics.jsonl: one per finished epoch.
    private static func finishedEpochs(directory: String) -> Int {
        guard let data = FileManager.default.contents(atPath: directory + "/metrics.jsonl") else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
