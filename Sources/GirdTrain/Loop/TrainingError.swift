/// Why a run stopped.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The loss of a step was NaN or infinite; no update was made from it.
    /// `epoch` and `batch` count from 0; `checkpoint` is the last good one, if any.
    case nonFiniteLoss(epoch: Int, batch: Int, checkpoint: String?)
    case invalidConfiguration(String)
    /// `Trainer.shouldStop` answered true before batch `batch` of epoch
    /// `epoch` (both from 0); `checkpoint` resumes exactly there.
    case interrupted(epoch: Int, batch: Int, checkpoint: String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, batch, checkpoint):
            let kept = checkpoint.map { "the last good checkpoint, \($0), is kept" }
                ?? "no checkpoint was written yet, the last good checkpoint would have been kept"
            return "training stopped: the loss is not finite (NaN or infinite) at epoch \(epoch), batch \(batch) "
                + "(both from 0); \(kept)"
        case let .invalidConfiguration(message):
            return "invalid training configuration: \(message)"
        case let .interrupted(epoch, batch, checkpoint):
            return "training interrupted before epoch \(epoch), batch \(batch) (both from 0); "
                + "resume from \(checkpoint)"
        }
    }
}
