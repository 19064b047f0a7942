/// Why a run stopped.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The loss of a step was NaN or infinite; no update was made from it.
    /// `epoch` and `batch` count from 0; `checkpoint` is the last good one, if any.
    case nonFiniteLoss(epoch: Int, batch: Int, checkpoint: String?)
    /// After epoch `epoch` (from 0) the weights or the evaluation were not
    /// finite: the epoch's last steps diverged. Nothing of that epoch is
    /// saved; `checkpoint` is the last good one, if any.
    case nonFiniteEpoch(epoch: Int, what: String, checkpoint: String?)
    case invalidConfiguration(String)
    /// `Trainer.shouldStop` answered true before batch `batch` of epoch
    /// `epoch` (both from 0, printed from 1); `checkpoint` resumes exactly there.
    case interrupted(epoch: Int, batch: Int, checkpoint: String)
    /// The run's estimated memory (`MemoryEstimate`) is more than the
    /// machine has; checked before step 1, nothing written but the run's
    /// set-up files.
    case notEnoughMemory(String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, batch, checkpoint):
            return "training stopped: the loss is not finite (NaN or infinite) at epoch \(epoch), batch \(batch) "
                + "(both from 0); \(Self.kept(checkpoint))"
        case let .nonFiniteEpoch(epoch, what, checkpoint):
            return "training stopped: the loss is not finite (NaN or infinite) at the end of epoch \(epoch) (from 0): "
                + "\(what); \(Self.kept(checkpoint))"
        case let .invalidConfiguration(message):
            return "invalid training configuration: \(message)"
        case let .notEnoughMemory(message):
            return "not enough memory: \(message)"
        case let .interrupted(epoch, batch, checkpoint):
            // Counted from 1, as the progress lines count.
            return "training interrupted before epoch \(epoch + 1), batch \(batch + 1) (both from 1); "
                + "resume from \(checkpoint)"
        }
    }

    private static func kept(_ checkpoint: String?) -> String {
        checkpoint.map { "the last good checkpoint, \($0), is kept" }
            ?? "no checkpoint was written yet, the last good checkpoint would have been kept"
    }
}
