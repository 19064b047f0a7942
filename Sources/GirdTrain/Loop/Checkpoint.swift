import Foundation
import GirdData
import GirdNN
import GirdTensor

/// Where a run stands, saved as JSON in a checkpoint's metadata. The data
/// order and augmentation are functions of (seed, epoch) (see `DataLoader`),
/// so the seed and the loader's position are the whole random state.
struct CheckpointState: Codable, Equatable {
    var version = 1
    /// The next batch to train on (epoch e + 1, batch 0 after epoch e).
    var position: DataLoader.Position
    var seed: UInt64
    var optimizer: TrainingConfiguration.OptimizerKind
    var schedule: String
    var epochs: Int
    var stepsPerEpoch: Int
    /// The best validation top-1 so far (−1 before any); a run without a
    /// validation set leaves it. (Version 1 checkpoints kept the best *test*
    /// top-1 here, which nothing reads any more.)
    var bestTop1: Double
    /// The epoch of `bestTop1`, nil until a validation set chose one.
    var bestEpoch: Int?
    var history: [EpochRecord]
    /// Set when a run was interrupted inside an epoch: what its first
    /// steps had summed, so that the resumed epoch reports the same loss.
    var partialEpoch: PartialEpoch?

    struct PartialEpoch: Codable, Equatable {
        var lossSum: Double
        var steps: Int
        var firstRate: Float?
        /// Wall time of the part already run (nil in older checkpoints).
        var seconds: Double?
        /// The loss terms' sums over those steps (nil in older checkpoints).
        var termSums: [String: Double]?
        /// Training images ranked right at top-1 and top-5, and counted
        /// (nil in older checkpoints, or without logits).
        var trainCorrect: TrainingAccuracy?
    }

    /// A resume with a different seed, optimizer, schedule or length would
    /// silently be another run.
    func checkCompatible(with run: CheckpointState, path: String) throws {
        var differences: [String] = []
        if seed != run.seed { differences.append("seed \(seed) vs \(run.seed)") }
        if optimizer != run.optimizer { differences.append("optimizer \(optimizer) vs \(run.optimizer)") }
        if schedule != run.schedule { differences.append("schedule \(schedule) vs \(run.schedule)") }
        if epochs != run.epochs { differences.append("epochs \(epochs) vs \(run.epochs)") }
        if stepsPerEpoch != run.stepsPerEpoch { differences.append("steps per epoch \(stepsPerEpoch) vs \(run.stepsPerEpoch)") }
        guard differences.isEmpty else {
            throw CheckpointError.incompatible(path: path, message: "saved by another run: " + differences.joined(separator: ", "))
        }
    }
}

public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file is missing, truncated or not a GIRD checkpoint.
    case unreadable(path: String, reason: String)
    case incompatible(path: String, message: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): cannot resume from this checkpoint: \(reason)"
        case let .incompatible(path, message): return "\(path): cannot resume from this checkpoint: \(message)"
        }
    }
}

/// One safetensors file, written atomically (`SafeTensors.save`), holding
///
///     model.<state_dict key>                  the model's parameters and buffers
///     aux.<module>.<state_dict key>           the objective's own modules (connectors)
///     optimizer.<parameter>.momentum_buffer   SGD (absent before a parameter's first step)
///     optimizer.<parameter>.exp_avg           Adam, AdamW: m
///     optimizer.<parameter>.exp_avg_sq        Adam, AdamW: v
///     optimizer.<parameter>.step              Adam, AdamW: t, int64 [1]
///     state.<owner>.<tensor>                  each `TrainingState` registered with the trainer
///     __metadata__ gird.training_state        `CheckpointState` as JSON
///
/// with PyTorch's names for the optimizer state, so a converter stays simple.
enum Checkpoint {
    static let stateKey = "gird.training_state"

    static func save(_ state: CheckpointState, model: Network, auxiliary: [(name: String, module: Module)] = [],
                     optimizer: Optimizer, parameterNames: [String],
                     state owners: [String: TrainingState] = [:], to path: String) throws {
        var tensors = model.stateDictionary(prefix: "model.")
        for part in auxiliary { tensors += part.module.stateDictionary(prefix: "aux.\(part.name).") }
        for (owner, part) in owners.sorted(by: { $0.key < $1.key }) {
            tensors += part.checkpointTensors.map { ("state.\(owner).\($0.name)", $0.tensor) }
        }
        switch optimizer {
        case let sgd as SGD:
            for (name, buffer) in zip(parameterNames, sgd.momentumBuffers) {
                if let buffer { tensors.append(("optimizer.\(name).momentum_buffer", buffer)) }
            }
        default:
            for (name, adamState) in zip(parameterNames, adamStates(of: optimizer)) {
                guard let adamState else { continue }
                tensors.append(("optimizer.\(name).exp_avg", adamState.average))
                tensors.append(("optimizer.\(name).exp_avg_sq", adamState.squaredAverage))
                tensors.append(("optimizer.\(name).step", try Tensor(shape: [1], indices: [Int64(adamState.step)])))
            }
        }
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try SafeTensors.save(tensors, metadata: ["format": "gird-checkpoint", stateKey: json], to: path)
    }

    /// Loads the model's and optimizer's state from `path`; returns where the run stands.
    static func load(from path: String, into model: Network, auxiliary: [(name: String, module: Module)] = [],
                     optimizer: Optimizer, parameterNames: [String],
                     state owners: [String: TrainingState] = [:]) throws -> CheckpointState {
        let tensors: [String: Tensor]
        let metadata: [String: String]
        do {
            tensors = try SafeTensors.load(contentsOf: path)
            metadata = try SafeTensors.metadata(contentsOf: path)
        } catch {
            throw CheckpointError.unreadable(path: path, reason: "\(error)")
        }
        guard let json = metadata[stateKey] else {
            throw CheckpointError.unreadable(path: path, reason: "no '\(stateKey)' metadata: a weights file, not a training checkpoint?")
        }
        let state: CheckpointState
        do {
            state = try JSONDecoder().decode(CheckpointState.self, from: Data(json.utf8))
        } catch {
            throw CheckpointError.unreadable(path: path, reason: "its '\(stateKey)' metadata does not decode: \(error)")
        }

        var modelTensors: [String: Tensor] = [:]
        for (name, tensor) in tensors where name.hasPrefix("model.") {
            modelTensors[String(name.dropFirst("model.".count))] = tensor
        }
        for (owner, part) in owners {
            let prefix = "state.\(owner)."
            var saved: [String: Tensor] = [:]
            for (name, tensor) in tensors where name.hasPrefix(prefix) { saved[String(name.dropFirst(prefix.count))] = tensor }
            do {
                try part.restore(checkpointTensors: saved)
            } catch {
                throw CheckpointError.incompatible(path: path, message: "state '\(owner)': \(error)")
            }
        }
        do {
            try model.loadStateDictionary(modelTensors)
            for part in auxiliary {
                let prefix = "aux.\(part.name)."
                var saved: [String: Tensor] = [:]
                for (name, tensor) in tensors where name.hasPrefix(prefix) { saved[String(name.dropFirst(prefix.count))] = tensor }
                try part.module.loadStateDictionary(saved)
            }
        } catch {
            throw CheckpointError.incompatible(path: path, message: "\(error)")
        }
        do {
            switch optimizer {
            case let sgd as SGD:
                try sgd.restoreMomentumBuffers(parameterNames.map { tensors["optimizer.\($0).momentum_buffer"] })
            default:
                let states: [AdamState?] = try parameterNames.map { name in
                    guard let average = tensors["optimizer.\(name).exp_avg"] else { return nil }
                    guard let squared = tensors["optimizer.\(name).exp_avg_sq"],
                          let step = tensors["optimizer.\(name).step"]?.toIndices().first else {
                        throw CheckpointError.unreadable(path: path, reason: "the Adam state of '\(name)' is incomplete")
                    }
                    return AdamState(step: Int(step), average: average, squaredAverage: squared)
                }
                try (optimizer as? AdamBase)?.restoreStates(states)
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError.incompatible(path: path, message: "optimizer state: \(error)")
        }
        return state
    }

    private static func adamStates(of optimizer: Optimizer) -> [AdamState?] {
        (optimizer as? AdamBase)?.states ?? []
    }
}
