import Foundation
import GirdTensor

/// A run's directory: besides the trainer's files (metrics, checkpoints),
/// `run.json` (what `RunLauncher` resumes and reuses from), the teacher's
/// weights, and whatever the front end adds to explain the run (a recipe
/// front end writes the recipe and its imports, the params, the command).
public enum RunDirectory {
    /// `runs/NAME-YYYYMMDD-HHMMSS`, with `-2`, `-3`... when two runs start within a second.
    public static func defaultPath(name: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let base = "runs/\(name)-\(formatter.string(from: Date()))"
        var path = base, counter = 2
        while FileManager.default.fileExists(atPath: path) {
            path = "\(base)-\(counter)"
            counter += 1
        }
        return path
    }

    /// The directory holding `path` when it names a run's checkpoint file, else `path`.
    public static func directory(of path: String) -> String {
        path.hasSuffix(".safetensors") ? URL(fileURLWithPath: path).deletingLastPathComponent().path : path
    }

    /// Writes each file (a path relative to `directory`, its bytes), making folders as needed.
    public static func write(_ files: [(path: String, contents: Data)], to directory: String) throws {
        for file in files {
            let path = directory + "/" + file.path
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw RunError.cannotWrite(path: folder, reason: "\(error.localizedDescription)")
            }
            try writeAtomically(file.contents, to: path)
        }
    }

    /// A reader never sees half a file, and a crash never leaves one
    /// (`AtomicFileWriter`: temporary file, fsync, rename).
    public static func writeAtomically(_ data: Data, to path: String) throws {
        try AtomicFileWriter.write([UInt8](data), to: path)
    }
}
