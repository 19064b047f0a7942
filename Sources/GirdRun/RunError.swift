/// Why a run directory could not be used. Every message starts with the
/// path, as a compiler names the file first.
public enum RunError: Error, Equatable, CustomStringConvertible {
    /// No `run.json` where one was expected.
    case notARunDirectory(path: String)
    /// `run.json` is there but cannot be read as a run (`reason` says why).
    case unreadable(path: String, reason: String)
    /// Written by a newer version of the toolkit than this one reads.
    case unsupportedFormat(version: Int, newest: Int)
    /// `reuse` found another run in the directory: other settings (`fields`) or teacher weights.
    case differentRun(directory: String, fields: [String])
    case differentTeacher(directory: String)
    /// `reuse` needs the directory it is to reuse.
    case reuseWithoutDirectory
    /// A file of the run directory could not be written.
    case cannotWrite(path: String, reason: String)
    /// The run trained on another number of MPI ranks than this job has.
    case differentRanks(directory: String, trained: Int, now: Int)
    /// Rank 0 decided for every rank and failed; the others report its message.
    case failedOnRankZero(message: String)
    /// A term's default taps now name other layers than the run read.
    case differentTaps(directory: String, recorded: RunFile.TermTaps, now: RunFile.TermTaps)

    public var description: String {
        switch self {
        case let .notARunDirectory(path):
            return "\(path): no such file; resume takes a run directory written by train or distill"
        case let .unreadable(path, reason):
            return "\(path): not a run description: \(reason)"
        case let .unsupportedFormat(version, newest):
            return "run.json format version \(version) is not one this toolkit reads (1 to \(newest)); "
                + "it was written by another version of GIRD"
        case let .differentRun(directory, fields):
            return "\(directory) holds a different run (run.json differs in: \(fields.joined(separator: ", "))); "
                + "give another out: or delete that folder"
        case let .differentTeacher(directory):
            return "\(directory) holds this run with other teacher weights (\(RunSpecification.teacherWeights) differs); "
                + "give another out: or delete that folder"
        case .reuseWithoutDirectory:
            return "reuse: true needs out:, the run directory to reuse"
        case let .cannotWrite(path, reason):
            return "\(path): cannot write: \(reason)"
        case let .differentRanks(directory, trained, now):
            return "\(directory) was trained on \(trained) rank\(trained == 1 ? "" : "s") and this job has \(now); "
                + "resume it with the same number (mpirun -np \(trained)), or the data order and batch norm would change mid-run"
        case let .failedOnRankZero(message):
            return "on rank 0: \(message)"
        case let .differentTaps(directory, recorded, now):
            func layers(_ taps: RunFile.TermTaps) -> String {
                "student \(taps.student.joined(separator: ", ")); teacher \(taps.teacher.joined(separator: ", "))"
            }
            return "\(directory) was trained with \(recorded.method) reading \(layers(recorded)), and today's default "
                + "would read \(layers(now)); resume it with the toolkit version that started it, or start a new run"
        }
    }
}
