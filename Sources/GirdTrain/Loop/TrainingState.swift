import GirdTensor

/// State a run carries besides the model and the optimizer, which a
/// checkpoint must save and a resume restore: a distillation loss's memory
/// bank, its ring position, a counter. Registered with
/// `Trainer.state[name]`; saved as `state.<name>.<tensor name>` tensors.
public protocol TrainingState: AnyObject {
    /// The tensors that make up the state, by name. Read at each checkpoint.
    var checkpointTensors: [(name: String, tensor: Tensor)] { get }
    /// Puts saved tensors back (exactly the names `checkpointTensors` gave
    /// when the checkpoint was written; an empty dictionary when the
    /// checkpoint holds none). Throws when they do not fit.
    func restore(checkpointTensors: [String: Tensor]) throws
}
