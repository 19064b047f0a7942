import Foundation
import GirdData
import GirdDistill
import GirdMPI
import GirdNN
import GirdTensor
import GirdTrain

// A test fixture, not a product: a short data-parallel run through the
// engine alone (no recipe language), launched by GirdMPITests under
// `mpirun -np 2` and alone, which reports on rank 0 what only the ranks
// together can check: that every rank ends with the same weights and the
// same GIRD bank (or CRD memory).
//
//   gird-mpi-probe OUTPUT_DIRECTORY [--sync-bn] [--gird] [--crd] [--epochs N] [--lr RATE] [--batch SIZE] [--fail-on-rank R]
//                  [--stop-after STEPS] [--resume] [--data-differs-by-rank]
//
// --data-differs-by-rank gives each rank other images (a misconfigured job).
// --stop-after asks rank 0 alone to stop (as a Ctrl-C would) after that many
// steps; --resume continues the run in OUTPUT_DIRECTORY from its checkpoint.
//
// --sync-bn in one process runs batch norm through the synchronised
// formula (a group of one), the reference a 2-rank run must equal.

let arguments = Array(CommandLine.arguments.dropFirst())
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: gird-mpi-probe OUTPUT_DIRECTORY [--sync-bn] [--gird] [--epochs N]\n".utf8))
    exit(2)
}
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let synchronized = arguments.contains("--sync-bn"), withGIRD = arguments.contains("--gird")
let withCRD = arguments.contains("--crd")
let epochs = Int(option("--epochs") ?? "1") ?? 1
let learningRate = Double(option("--lr") ?? "0.1") ?? 0.1
let batchSize = Int(option("--batch") ?? "32") ?? 32
let failingRank = option("--fail-on-rank").flatMap(Int.init)
let stopAfter = option("--stop-after").flatMap(Int.init)
let resuming = arguments.contains("--resume")
let dataDiffersByRank = arguments.contains("--data-differs-by-rank")

var group: ProcessGroup = SingleProcessGroup()
if MPIProcessGroup.isLaunched {
    do { group = try MPIProcessGroup.join() } catch {
        FileHandle.standardError.write(Data("gird-mpi-probe: \(error)\n".utf8))
        exit(1)
    }
}
ProcessGroups.world = group

/// 100 images of 1 x 32 x 32 and 10 classes, from a fixed generator: the
/// same on every rank. 100 is not a multiple of the batch, so the last
/// batch (4 images) splits 2 + 2.
func syntheticData() throws -> Dataset {
    let generator = RandomGenerator(seed: dataDiffersByRank ? 7 + UInt64(group.rank) : 7)
    let count = 100, size = 1024
    let pixels = (0..<(count * size)).map { _ in UInt8(generator.nextInt(below: 256)) }
    let labels = (0..<count).map { Int64($0 % 10) }
    return try Dataset(name: "probe", classes: (0..<10).map(String.init), imageShape: [1, 32, 32], pixels: pixels,
                       labels: labels, normalization: nil)
}

func weightsHash(_ model: Network) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for (_, tensor) in model.stateDictionary() {
        let bytes: [UInt8] = tensor.dtype == .float32
            ? tensor.toArray().flatMap { withUnsafeBytes(of: $0.bitPattern) { Array($0) } }
            : tensor.toIndices().flatMap { withUnsafeBytes(of: $0) { Array($0) } }
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }
    return hash
}

func agree(_ value: UInt64, what: String) throws {
    let all = try group.allGather([Int64(bitPattern: value)], counts: Array(repeating: 1, count: group.size))
    if group.rank == 0 {
        let same = all.allSatisfy { $0 == all[0] }
        print("\(what) \(same ? "identical" : "DIFFERENT") on \(group.size) ranks")
    }
}

do {
    let data = try syntheticData()
    let student = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 2))
    if synchronized && !group.isDistributed {
        for case let layer as BatchNorm in student.descendants { layer.synchronization = group }
    }
    var configuration = TrainingConfiguration(epochs: epochs, outputDirectory: output)
    configuration.batchSize = batchSize
    configuration.learningRate = learningRate
    configuration.synchronizedBatchNorm = synchronized
    configuration.progress = .silent
    let objective: TrainingObjective
    var gird: GIRD?
    var crd: ContrastiveRepresentation?
    if withCRD {
        // Small sizes: 16 dimensions, 20 negatives, a memory row per image.
        let teacher = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
        let method = try ContrastiveRepresentation(featureDimension: 16, negatives: 20)
        crd = method
        objective = try Distiller(teacher: teacher, terms: [
            DistillationTerm(try CrossEntropyTerm()), DistillationTerm(method, weight: 0.8),
        ])
    } else if withGIRD {
        let teacher = try ModelZoo.make("resnet8", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
        let method = try GIRD(configuration: GIRD.Configuration(bankSize: 64))
        gird = method
        objective = try Distiller(teacher: teacher, terms: [
            DistillationTerm(try CrossEntropyTerm()), DistillationTerm(method),
        ])
    } else {
        objective = CrossEntropyObjective()
    }
    let trainer = Trainer(configuration: configuration,
                          objective: failingRank == group.rank ? FailingObjective(objective) : objective)
    if let stopAfter {
        var calls = 0
        trainer.shouldStop = {
            calls += 1
            return group.rank == 0 && calls > stopAfter
        }
    }
    let run: TrainingRun
    do {
        run = resuming
            ? try trainer.resume(from: trainer.checkpointPath, model: student, trainSet: data, testSet: data)
            : try trainer.train(model: student, trainSet: data, testSet: data)
    } catch TrainingError.interrupted(let epoch, let batch, _) {
        if group.rank == 0 { print("stopped at epoch \(epoch) batch \(batch)") }
        try agree(weightsHash(student), what: "weights")
        if let mpi = group as? MPIProcessGroup { try mpi.finalize() }
        exit(0)
    }
    try agree(weightsHash(student), what: "weights")
    if let bank = gird?.bank {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for layer in 0..<bank.layerCount {
            for side in [true, false] {
                for value in bank.queue(layer: layer, student: side).toArray() {
                    hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3
                }
            }
        }
        try agree(hash, what: "GIRD banks (\(bank.count) rows)")
    }
    if let memory = crd?.memory {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (_, tensor) in memory.checkpointTensors {
            let words = tensor.dtype == .float32 ? tensor.toArray().map { UInt64($0.bitPattern) } : tensor.toIndices().map { UInt64(bitPattern: $0) }
            for word in words { hash = (hash ^ word) &* 0x0000_0100_0000_01B3 }
        }
        try agree(hash, what: "CRD memories (\(memory.size) rows)")
    }
    if group.rank == 0 { print("train loss \(run.history.last?.trainLoss ?? .nan) top-1 \(run.finalTop1)") }
    if let mpi = group as? MPIProcessGroup { try mpi.finalize() }
} catch {
    FileHandle.standardError.write(Data("gird-mpi-probe: rank \(group.rank): \(error)\n".utf8))
    group.abort(code: 1)
}

/// Throws on its second step: a failure on one rank only, while the
/// others go on into the step's collectives.
final class FailingObjective: TrainingObjective {
    let inner: TrainingObjective
    var steps = 0

    init(_ inner: TrainingObjective) { self.inner = inner }

    func join(_ group: ProcessGroup) { inner.join(group) }
    func prepare(model: Network, trainSet: Dataset) throws { try inner.prepare(model: model, trainSet: trainSet) }
    func afterStep() throws { try inner.afterStep() }
    var trainableModules: [(name: String, module: Module)] { inner.trainableModules }
    var trainingState: [String: TrainingState] { inner.trainingState }
    // What each step reduces over the ranks: the same as the inner objective's on every rank.
    var lossTermNames: [String] { inner.lossTermNames }
    var lastLossTerms: [Double] { inner.lastLossTerms }
    var lastLogits: Tensor? { inner.lastLogits }

    func loss(model: Network, batch: TrainingBatch) throws -> Tensor {
        steps += 1
        if steps == 2 { throw TensorError.invalidArgument(op: "probe", message: "this rank fails on purpose") }
        return try inner.loss(model: model, batch: batch)
    }
}
