import GirdNN
import GirdTensor
import GirdTrain

/// One full training step of a zoo model, as a training loop runs it:
/// forward in training mode, cross-entropy, backward, SGD update (momentum
/// 0.9, weight decay 5e-4), gradients cleared. Batch 64 of 32x32 images,
/// 100 classes; the rate is images per second.
enum TrainingStepCases {
    static let models = ["resnet8x4", "resnet20", "wrn_16_2", "vgg8", "mobile_half", "ShuffleV1"]

    static func all(quick: Bool) -> [BenchCase] {
        let batch = quick ? 8 : 64
        return models.filter { ModelZoo.names.contains($0) }.map { name in
            BenchCase(name: "train \(name)", images: batch) {
                let generator = RandomGenerator(seed: 1)
                let model = try ModelZoo.make(name, classes: 100, generator: generator)
                model.train()
                let images = try Tensor.randn([batch, 3, 32, 32], generator: generator)
                let labels = try Tensor(shape: [batch], indices: (0..<batch).map { Int64($0 % 100) })
                let optimizer = try SGD(parameters: model.parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
                return {
                    let loss = try Tensor.crossEntropy(model(images), labels: labels)
                    try loss.backward()
                    try optimizer.step()
                    optimizer.clearGradients()
                }
            }
        }
    }
}
