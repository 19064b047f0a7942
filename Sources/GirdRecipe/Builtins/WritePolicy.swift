import Foundation

/// Where a recipe may write: under the directory `gird-repl` was started in,
/// and under the folders `--allow-write DIR` adds, as Deno's `--allow-write`.
/// A recipe someone shared must not write outside the directory it was run
/// from unless the user allows it; reads stay free (datasets live in system
/// folders).
///
/// Every builtin that writes a file calls `check` with the path it was given,
/// before writing and in a dry run too, so that the rule lives here alone.
/// Paths are resolved as the system would when writing: relative to the
/// current directory, `..` and `.` applied, and every symbolic link of the
/// part that exists followed (a dangling link to where its target would be
/// created), so that neither `..` nor a link can lead out.
public struct WritePolicy {
    /// The folders writes may go under, resolved: the current directory first.
    public let allowedDirectories: [String]
    /// How many folders `--allow-write` added (for the refusal's wording).
    private let extraCount: Int

    /// Writes under `currentDirectory` and under each of `extraDirectories`
    /// (relative ones taken from `currentDirectory`).
    public init(currentDirectory: String = FileManager.default.currentDirectoryPath, allowing extraDirectories: [String] = []) {
        let root = WritePolicy.resolve(currentDirectory, from: "/")
        allowedDirectories = [root] + extraDirectories.map { WritePolicy.resolve($0, from: root) }
        extraCount = extraDirectories.count
    }

    /// Throws, as an error at the recipe's call, when `path` is outside every
    /// allowed folder. `builtin` names the caller in the message (`write_file`,
    /// `train`'s `out:`).
    public func check(_ path: String, builtin: String) throws {
        let resolved = WritePolicy.resolve(path, from: FileManager.default.currentDirectoryPath)
        if allowedDirectories.contains(where: { WritePolicy.isWithin(resolved, $0) }) { return }
        let allowed = extraCount == 0 ? "the current directory" : "the current directory and the folders given to --allow-write"
        throw BuiltinFailure("\(builtin)(): refusing to write '\(path)': it is outside \(allowed); run gird-repl with --allow-write DIR to allow it")
    }

    static func isWithin(_ path: String, _ directory: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory + "/")
    }

    /// `path` as an absolute path with `.`, `..` and symbolic links resolved
    /// one component at a time (so `link/..` is the parent of the link's
    /// target, as the kernel has it); components that do not exist yet are
    /// kept as written.
    static func resolve(_ path: String, from directory: String) -> String {
        let absolute = path.hasPrefix("/") ? path : directory + "/" + path
        var pending = Array(absolute.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
        var resolved: [String] = []
        var links = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." { _ = resolved.popLast(); continue }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            // A link loop or a very long chain: keep the path as it is; the
            // write itself will fail.
            if links < 40, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: candidate) {
                links += 1
                if target.hasPrefix("/") { resolved = [] }
                pending.append(contentsOf: target.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
                continue
            }
            resolved.append(component)
        }
        return "/" + resolved.joined(separator: "/")
    }
}

extension BuiltinArguments {
    /// The argument called `name` as a path this call may write to (the
    /// session's `WritePolicy`), checked before anything is written.
    public func writablePath(_ name: String) throws -> String {
        let path = try string(name)
        try context.options.writePolicy.check(path, builtin: builtin.name)
        return path
    }
}
