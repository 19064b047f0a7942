import Foundation
import GirdDistill
import GirdNN
import GirdTensor
import GirdTrain

/// One distillation step as `Trainer` runs it with a `Distiller`: the
/// teacher's forward in eval mode without the tape, the student's forward in
/// training mode, CE + KD (T = 4), backward, SGD (momentum 0.9, weight decay
/// 5e-4), `afterStep`. RepDistiller's CIFAR-100 pair resnet32x4 -> resnet8x4,
/// batch 64; the rate is images per second.
enum DistillationStepCases {
    static let teacher = "resnet32x4", student = "resnet8x4"

    static func all(quick: Bool) -> [BenchCase] {
        let batch = quick ? 8 : 64
        // GIRD over the same step: 4 tapped layer pairs (stem and the three
        // stages), gap pooling, banks of K = 4096 and 16384 (filled before
        // timing, so every step sees B + K columns).
        let bankSizes = quick ? [256] : [4096, 16384]
        return [BenchCase(name: "distill kd \(teacher)>\(student)", images: batch) {
            try step(batch: batch, extra: [])
        }] + bankSizes.map { size in
            BenchCase(name: "distill kd+gird K=\(size) \(teacher)>\(student)", images: batch) {
                try girdStep(batch: batch, bankSize: size)
            }
        } + bankSizes.map { size in
            // The overhead as a ratio measured in one process, the two steps
            // alternating, so that the machine's drift hits both alike.
            BenchCase(name: "distill gird-overhead K=\(size)", images: batch) {
                let plain = try step(batch: batch, extra: []), gird = try girdStep(batch: batch, bankSize: size)
                try plain()
                let report = OverheadReport(bankSize: size)
                return {
                    report.plain = min(report.plain, try milliseconds(plain))
                    report.gird = min(report.gird, try milliseconds(gird))
                }
            }
        }
    }

    /// The best of each step over a case's calls, printed as a comment when
    /// the case lets go of its closure.
    final class OverheadReport {
        let bankSize: Int
        var plain = Double.infinity, gird = Double.infinity

        init(bankSize: Int) { self.bankSize = bankSize }

        deinit {
            print(String(format: "# gird K=%d over the kd step: %+.1f%% (kd %.1f ms, kd+gird %.1f ms, best of each, alternating)",
                         bankSize, (gird / plain - 1) * 100, plain, gird))
        }
    }

    private static func milliseconds(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// CE + KD + GIRD (4 layer pairs, gap) with a bank of `bankSize` rows
    /// already full, so that every timed step sees B + K columns.
    static func girdStep(batch: Int, bankSize: Int) throws -> () throws -> Void {
        var configuration = GIRD.Configuration()
        configuration.bankSize = bankSize
        let gird = try GIRD(configuration: configuration)
        let run = try step(batch: batch, extra: [DistillationTerm(gird)])
        try run()
        // Unit rows, as embeddings are; filling by steps would take minutes.
        if let bank = gird.bank {
            let generator = RandomGenerator(seed: 2)
            let rows = { (widths: [Int]) in
                try widths.map { try Tensor.randn([bankSize, $0], generator: generator).l2Normalized(axis: 1) }
            }
            try bank.enqueue(student: try rows(bank.studentWidths), teacher: try rows(bank.teacherWidths))
        }
        return run
    }

    /// A closure running one step of CE + KD + `extra` terms.
    static func step(batch: Int, extra: [DistillationTerm]) throws -> () throws -> Void {
        let generator = RandomGenerator(seed: 1)
        let teacherModel = try ModelZoo.make(teacher, classes: 100, generator: generator)
        let studentModel = try ModelZoo.make(student, classes: 100, generator: generator)
        let distiller = try Distiller(teacher: teacherModel, terms: [
            DistillationTerm(try CrossEntropyTerm()), DistillationTerm(try KnowledgeDistillation(temperature: 4)),
        ] + extra)
        try distiller.prepare(student: studentModel, imageShape: [3, 32, 32], trainingSetSize: 50_000)
        let parameters = studentModel.parameters + distiller.trainableModules.flatMap { $0.module.parameters }
        let optimizer = try SGD(parameters: parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
        studentModel.train()
        let images = try Tensor.randn([batch, 3, 32, 32], generator: generator)
        let labels = try Tensor(shape: [batch], indices: (0..<batch).map { Int64($0 % 100) })
        var offset = 0
        return {
            // Fresh dataset indices each step, as an epoch would give.
            let indices = (0..<batch).map { (offset + $0) % 50_000 }
            offset += batch
            let loss = try distiller.loss(model: studentModel, batch: TrainingBatch(images: images, labels: labels, indices: indices))
            try loss.backward()
            try optimizer.step()
            optimizer.clearGradients()
            try distiller.afterStep()
        }
    }
}
