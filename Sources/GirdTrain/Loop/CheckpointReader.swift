import GirdNN

/// Reads a training checkpoint into a model outside a run: whether it
/// loads, and where its run stands. (A resume does the same and then
/// trains; tools and the fuzzing target stop here.)
public enum CheckpointReader {
    /// Restores the model's weights and an SGD's momentum from `path`;
    /// returns the next position (epoch and batch, from 0) and the history.
    /// Throws `CheckpointError` naming the file.
    public static func read(_ path: String, into model: Network) throws -> (epoch: Int, batch: Int, history: [EpochRecord]) {
        let named = model.namedParameters()
        let optimizer = try SGD(parameters: named.map(\.tensor), learningRate: 0.1, momentum: 0.9)
        let state = try Checkpoint.load(from: path, into: model, optimizer: optimizer, parameterNames: named.map(\.name))
        return (state.position.epoch, state.position.batch, state.history)
    }
}
