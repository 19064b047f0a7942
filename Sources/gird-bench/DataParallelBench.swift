import Foundation
import GirdData
import GirdDistill
import GirdMPI
import GirdNN
import GirdTensor
import GirdTrain

/// `gird-bench --data-parallel`, alone or under `mpirun -np N`: the
/// trainer's own steps (sharded batch, buffer broadcast, loss agreement,
/// bucketed gradient all-reduce, GIRD's all-gather) on synthetic images, for
/// the two pairs issue 17 names: CE + KD resnet32x4 -> resnet8x4 on
/// CIFAR-100-shaped images, and the quickstart's CE + KD + GIRD (K = 4096)
/// resnet20 -> resnet8 on Fashion-MNIST-shaped ones, global batch 64. Rank 0
/// prints the median step time over the steps after two warm-up steps, the
/// images per second of the whole job, and the seconds per step this rank
/// waited in collectives.
enum DataParallelBench {
    static func run(steps: Int, quick: Bool) throws {
        var group: ProcessGroup = SingleProcessGroup()
        if MPIProcessGroup.isLaunched { group = try MPIProcessGroup.join() }
        ProcessGroups.world = group
        let batch = quick ? 16 : 64
        let pairs: [(name: String, teacher: String, student: String, shape: [Int], classes: Int, gird: Bool)] = [
            ("kd resnet32x4>resnet8x4", "resnet32x4", "resnet8x4", [3, 32, 32], 100, false),
            ("kd+gird resnet20>resnet8", "resnet20", "resnet8", [1, 32, 32], 10, true),
        ]
        if group.rank == 0 {
            print("# data-parallel: \(group.size) rank\(group.size == 1 ? "" : "s") x \(ComputeThreads.count) thread\(ComputeThreads.count == 1 ? "" : "s"), global batch \(batch), \(steps) timed steps")
            print("case                          ms/step   images/s   collectives ms/step")
        }
        for pair in pairs {
            let images = batch * (steps + 2)
            let generator = RandomGenerator(seed: 11)
            let size = pair.shape.reduce(1, *)
            let data = try Dataset(name: "synthetic", classes: (0..<pair.classes).map(String.init), imageShape: pair.shape,
                                   pixels: (0..<(images * size)).map { _ in UInt8(generator.nextInt(below: 256)) },
                                   labels: (0..<images).map { Int64($0 % pair.classes) }, normalization: nil)
            let test = try Dataset(name: "synthetic-test", classes: data.classes, imageShape: pair.shape,
                                   pixels: Array(data.pixels[0..<(2 * size)]), labels: [0, 1], normalization: nil)
            let teacher = try ModelZoo.make(pair.teacher, classes: pair.classes, inChannels: pair.shape[0])
            let student = try ModelZoo.make(pair.student, classes: pair.classes, inChannels: pair.shape[0])
            var terms = [DistillationTerm(try CrossEntropyTerm()), DistillationTerm(try KnowledgeDistillation())]
            if pair.gird { terms.append(DistillationTerm(try GIRD(configuration: GIRD.Configuration(bankSize: 4096)))) }
            let directory = NSTemporaryDirectory() + "gird-bench-dp-\(ProcessInfo.processInfo.processIdentifier)"
            var configuration = TrainingConfiguration(epochs: 1, outputDirectory: directory)
            configuration.batchSize = batch
            configuration.progress = .silent
            let trainer = Trainer(configuration: configuration, objective: try Distiller(teacher: teacher, terms: terms))
            _ = try trainer.train(model: student, trainSet: data, testSet: test)
            if group.rank == 0 { try? FileManager.default.removeItem(atPath: directory) }
            let timed = Array(trainer.stepSeconds.dropFirst(2)).sorted()
            let median = timed[timed.count / 2]
            let collectives = trainer.communicationSeconds / Double(trainer.stepSeconds.count)
            // The job's step ends when its slowest rank's does.
            let slowest = try group.allReduceMax([Int64(median * 1e9)])[0]
            if group.rank == 0 {
                let seconds = Double(slowest) * 1e-9
                print(pair.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                      + String(format: "%9.1f %10.1f %12.2f", seconds * 1e3, Double(batch) / seconds, collectives * 1e3))
            }
        }
        try timeAllReduce(group, sizes: [("resnet8 gradients", 77_754), ("resnet8x4 gradients", 1_233_540)])
        if let mpi = group as? MPIProcessGroup { try mpi.finalize() }
    }

    /// One blocking all-reduce of a model's gradient size, alone (median
    /// of 20 after 3 warm-up calls): the cost the step hides behind backward
    /// as far as it can, and the figure docs/distributed.md scales from.
    static func timeAllReduce(_ group: ProcessGroup, sizes: [(name: String, floats: Int)]) throws {
        guard group.isDistributed else { return }
        for (name, floats) in sizes {
            var values = [Float](repeating: 1, count: floats)
            var times: [Double] = []
            for call in 0..<23 {
                _ = try group.allReduceSum([Int64(0)])  // line the ranks up
                let start = DispatchTime.now().uptimeNanoseconds
                try values.withUnsafeMutableBufferPointer { try group.allReduceSum($0) }
                if call >= 3 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6) }
            }
            let median = times.sorted()[times.count / 2]
            if group.rank == 0 {
                print("all-reduce \(name) (" + String(format: "%.2f MB): %.2f ms", Double(floats * 4) / 1e6, median))
            }
        }
    }
}
