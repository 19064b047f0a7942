import GirdTensor

/// `read_file`: a recipe reads back a text file it (or a person) wrote,
/// for example to rewrite one section of a report (report.recipe's
/// `write_section`) and keep the rest.
extension BuiltinRegistry {
    /// Larger than any report; smaller than a dataset read by mistake.
    static let textFileLimit = 64 << 20

    static var textFileBuiltins: [Builtin] {
        [
            Builtin("read_file", "path", doc: "a UTF-8 text file's contents as a string (at most 64 MiB)") { arguments in
                let path = try arguments.string("path")
                do {
                    return .string(try TextFile.read(path, maximumBytes: textFileLimit))
                } catch let error as WeightFileError {
                    throw BuiltinFailure("read_file(): \(error)")
                }
            },
        ]
    }
}
