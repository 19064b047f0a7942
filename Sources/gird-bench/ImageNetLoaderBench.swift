import Foundation
import GirdData
import GirdNN
import GirdTensor
import GirdTrain

/// The ImageNet loader's throughput on a folder of real JPEGs: each batch of
/// an epoch loaded in turn (decode, random-resized crop to 224, flip, to
/// normalised floats), on `threads` threads, with and without DCT-scaled
/// decoding; optionally tv_resnet18 training steps at batch 64 fed by the
/// prefetching loader, and how long each waits for its batch.
/// `scripts/bench-imagenet-loader` times torchvision's DataLoader on the
/// same files.
enum ImageNetLoaderBench {
    static func run(root: String, threads: Int, withSteps: Bool, steps: Int) throws {
        let augmentation: [Augmentation] = [.randomResizedCrop(size: 224), .horizontalFlip(probability: 0.5)]
        for scaled in [true, false] {
            let data = try Dataset.imagenet(root: root, split: "train", size: 224, scaledDecoding: scaled)
            let loader = try DataLoader(data, batchSize: 64, seed: 0, augmentation: augmentation, threads: threads)
            let order = loader.order(epoch: 0)
            _ = try loader.loadBatch(0, epoch: 0, order: order)  // warm the file cache
            var seconds: [Double] = []
            for epoch in 1...3 {
                let start = DispatchTime.now().uptimeNanoseconds
                for batch in 0..<loader.batchCount { _ = try loader.loadBatch(batch, epoch: epoch, order: loader.order(epoch: epoch)) }
                seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            let median = seconds.sorted()[1]
            print(String(format: "loader\t%@\tthreads %d\t%.1f images/s\t(%.1f per thread; %d images, median of 3 epochs)",
                         scaled ? "scaled-decoding" : "full-decoding", threads, Double(data.count) / median,
                         Double(data.count) / median / Double(threads), data.count))
        }
        guard withSteps else { return }
        let data = try Dataset.imagenet(root: root, split: "train", size: 224)
        let loader = try DataLoader(data, batchSize: 64, seed: 0, augmentation: augmentation, normalized: true, threads: threads)
        let model = try ModelZoo.make("tv_resnet18", generator: RandomGenerator(seed: 1))
        model.train()
        let optimizer = try SGD(parameters: model.parameters, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
        var epoch = loader.startEpoch(0)
        var waits: [Double] = [], stepSeconds: [Double] = []
        for _ in 0..<(steps + 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            var next = try epoch.next()
            if next == nil {
                epoch = loader.startEpoch(epoch.epoch + 1)
                next = try epoch.next()
            }
            let loaded = DispatchTime.now().uptimeNanoseconds
            let (images, labels) = next!
            let loss = try Tensor.crossEntropy(model(images), labels: labels)
            try loss.backward()
            try optimizer.step()
            optimizer.clearGradients()
            waits.append(Double(loaded - start) / 1e9)
            stepSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - loaded) / 1e9)
        }
        // The first batch is loaded while nothing else runs: not a wait of training.
        let steady = waits.dropFirst()
        print(String(format: "train tv_resnet18 batch 64: step %.2f s (median), waiting for data: mean %.3f s, max %.3f s over %d steps (first batch %.2f s)",
                     stepSeconds.dropFirst().sorted()[stepSeconds.count / 2 - 1], steady.reduce(0, +) / Double(steady.count),
                     steady.max() ?? 0, steady.count, waits[0]))
    }
}
