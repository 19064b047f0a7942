import GirdTensor

// torchvision's ImageNet ResNets (`torchvision.models.resnet18/34/50`, He et
// al. 2016, Table 1), under timm's prefix for torchvision's weights so that
// they never clash with the CIFAR zoo's `ResNet18` (RepDistiller's CIFAR
// network): `ResNetV2` in its torchvision style. A 7x7 stride-2 stem, 3x3
// stride-2 max pooling, four stages (64-512 wide, BasicBlocks or 4x
// Bottlenecks, the last three halving the resolution, the stride on the
// Bottleneck's 3x3 as in torchvision "v1.5"), global average pooling and
// the classifier `fc`. Parameter names, shapes and order are torchvision's
// `state_dict()` (shortcuts `downsample`), so its checkpoints load here
// strictly (scripts/pytorch-to-safetensors.py) and ours load there.
// Initialisation is torchvision's: convolutions kaiming-normal (fan_out),
// batch norms (1, 0), `fc` PyTorch's default (`zero_init_residual` off).
// Any input of at least 32x32 works (the pooling is adaptive); the weights
// torchvision publishes were trained at 224x224.
//
// | tap             | in torchvision's `forward`                          |
// |-----------------|-----------------------------------------------------|
// | `stem`          | after conv1-bn1-relu-maxpool: what `layer1` reads   |
// | `stageK`        | `layerK`'s output, K = 1..4 (strides 4, 8, 16, 32)  |
// | `stageK.preact` | its last block's sum before the final ReLU          |
// | `embedding`     | `torch.flatten(avgpool(x), 1)`, what `fc` reads     |

enum TorchvisionResNet {
    static let entries: [String: ZooBuilder] = {
        let models: [(name: String, block: ResNetV2.BlockKind, blocksPerStage: [Int])] = [
            ("tv_resnet18", .basic, [2, 2, 2, 2]),
            ("tv_resnet34", .basic, [3, 4, 6, 3]),
            ("tv_resnet50", .bottleneck, [3, 4, 6, 3]),
        ]
        var entries: [String: ZooBuilder] = [:]
        for model in models {
            entries[model.name] = { try ResNetV2(name: model.name, block: model.block, blocksPerStage: model.blocksPerStage,
                                                 classes: $0.classes, inChannels: $0.inChannels, style: .torchvision,
                                                 head: $0.head, lastStride: $0.lastStride, generator: $0.generator) }
        }
        return entries
    }()
}
