import Foundation
import GirdData
import GirdNN
import GirdTensor
import GirdTrain

/// What the data loader costs a training step: the work of one augmented,
/// normalised Fashion-MNIST batch (random crop 32 padding 4, flip), then the
/// same resnet8x4 step (1 channel, 10 classes) on a fixed batch and on
/// batches taken from a prefetching loader, whose difference is what the
/// consumer waits for (and what the worker's thread takes from the step's
/// threads on this machine).
enum LoaderCases {
    static func all(quick: Bool) -> [BenchCase] {
        let batch = quick ? 8 : 64
        let augmentation: [Augmentation] = [.randomCrop(size: 32, padding: 4), .horizontalFlip(probability: 0.5)]
        let makeLoader = { try DataLoader(Dataset.fashionMNIST(split: .train), batchSize: batch, seed: 0,
                                          augmentation: augmentation) }
        return [
            BenchCase(name: "loader fmnist batch", images: batch, dependsOnLayout: false) {
                let loader = try makeLoader()
                let order = loader.order(epoch: 0)
                var next = 0
                return {
                    _ = try loader.loadBatch(next, epoch: 0, order: order)
                    next = (next + 1) % loader.batchCount
                }
            },
            step(name: "train resnet8x4 fmnist", batch: batch) {
                let fixed = try makeLoader().loadBatch(0, epoch: 0, order: Array(0..<batch))
                return { fixed }
            },
            step(name: "train resnet8x4 fmnist+loader", batch: batch) {
                let loader = try makeLoader()
                var epoch = loader.startEpoch(0)
                let waits = WaitReport()
                return {
                    let start = DispatchTime.now().uptimeNanoseconds
                    defer { waits.add(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
                    if let batch = try epoch.next() { return batch }
                    epoch = loader.startEpoch(epoch.epoch + 1)
                    return try epoch.next()!
                }
            },
        ]
    }

    /// How long the consumer's `next()` took over a case's calls, printed
    /// as a comment when the case lets go of its closure.
    final class WaitReport {
        private var milliseconds: [Double] = []
        func add(_ value: Double) { milliseconds.append(value) }
        deinit {
            guard let first = milliseconds.first else { return }
            let rest = milliseconds.dropFirst()
            print(String(format: "# consumer next(): first %.3f ms, then mean %.3f ms, max %.3f ms over %d steps",
                         first, rest.reduce(0, +) / Double(max(rest.count, 1)), rest.max() ?? 0, rest.count))
        }
    }

    /// The step of `TrainingStepCases` on the batches `source` gives.
    static func step(name: String, batch: Int,
                     source: @escaping () throws -> () throws -> (images: Tensor, labels: Tensor)) -> BenchCase {
        BenchCase(name: name, images: batch) {
            let next = try source()
            let model = try ModelZoo.make("resnet8x4", classes: 10, inChannels: 1, generator: RandomGenerator(seed: 1))
            model.train()
            let optimizer = try SGD(parameters: model.parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
            return {
                let (images, labels) = try next()
                let loss = try Tensor.crossEntropy(model(images), labels: labels)
                try loss.backward()
                try optimizer.step()
                optimizer.clearGradients()
            }
        }
    }
}
