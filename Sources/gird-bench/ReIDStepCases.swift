import GirdDistill
import GirdNN
import GirdTensor
import GirdTrain

/// One training step of the VeRi-776 recipes' student (recipes/veri776):
/// torchvision's ResNet-18 with the re-ID head and last stride 1, a P x K
/// batch (8 identities x 4), cross-entropy with label smoothing 0.1 plus the
/// batch-hard triplet loss on the pooled features, backward, Adam (3.5e-4,
/// weight decay 5e-4), gradients cleared. 32 images of 128 x 128 (a quarter
/// of the recipes' 256 x 256, for time); the rate is images per second.
enum ReIDStepCases {
    static func all(quick: Bool) -> [BenchCase] {
        let batch = quick ? 8 : 32, side = quick ? 64 : 128
        return [BenchCase(name: "reid tv_resnet18 ce+triplet", images: batch) {
            let generator = RandomGenerator(seed: 1)
            let model = try ModelZoo.make("tv_resnet18", classes: 16, generator: generator, head: .reid, lastStride: 1)
            model.train()
            let images = try Tensor.randn([batch, 3, side, side], generator: generator)
            let labels = try Tensor(shape: [batch], indices: (0..<batch).map { Int64($0 / 4) })
            let optimizer = try Adam(parameters: model.parameters, learningRate: 3.5e-4, weightDecay: 5e-4)
            return {
                let output = try model.forward(images, taps: ["embedding"])
                let loss = try Tensor.crossEntropy(output.logits, labels: labels, labelSmoothing: 0.1)
                    + BatchHardTriplet.loss(features: output.features["embedding"]!, labels: labels, margin: 0.3)
                try loss.backward()
                try optimizer.step()
                optimizer.clearGradients()
            }
        }]
    }
}
