import Foundation
import GirdNN
import GirdONNX

/// `export_onnx(m, path)`: a model as an ONNX file for deployment
/// (`ONNXExport`, docs/deploy.md).
extension BuiltinRegistry {
    static var exportBuiltins: [Builtin] {
        [
            Builtin("export_onnx", "m, path, *, batch: \"dynamic\", fold_batch_norm: true, input: none",
                    doc: "writes the model in eval mode as an ONNX file (opset 13, weights inside, input 'input', output 'logits'); batch: \"dynamic\" or a size; batch norm folded into the convolutions unless fold_batch_norm: false; input: [C, H, W], default [in_channels, S, S] with S the model's image size (32; 224 for tv_ models)",
                    computes: true) { arguments in
                let object = try arguments.object("m", as: ModelObject.self, named: "model")
                let path = try arguments.writablePath("path")
                let batch: ONNXExport.Batch
                switch arguments["batch"] {
                case .string("dynamic"): batch = .dynamic
                case .int(let size) where size >= 1: batch = .fixed(Int(size))
                case let other:
                    throw BuiltinFailure("export_onnx(): batch must be \"dynamic\" or a size of at least 1, got \(other.repr)")
                }
                let input: [Int]
                if case .none = arguments["input"] { input = [object.inChannels, object.network.imageSize, object.network.imageSize] } else { input = try arguments.ints("input") }
                guard input.count == 3, input.allSatisfy({ $0 > 0 }) else {
                    throw BuiltinFailure("export_onnx(): input must be a shape [C, H, W] of positive sizes, got \(input)")
                }
                guard input[0] == object.inChannels else {
                    throw BuiltinFailure("export_onnx(): the model takes \(object.inChannels) input channel\(object.inChannels == 1 ? "" : "s"), and input has \(input[0])")
                }
                let fold = try arguments.bool("fold_batch_norm")
                if arguments.context.isDryRun {
                    try checkWritableFolder(of: path, builtin: "export_onnx")
                    return .none
                }
                do {
                    try arguments.context.interruptible(at: arguments.span) {
                        try ONNXExport.write(object.network, inputShape: input, to: path, batch: batch, foldBatchNorm: fold)
                    }
                } catch let error as ONNXExportError {
                    throw BuiltinFailure("export_onnx(): \(error)")
                }
                return .none
            },
        ]
    }

    /// A dry run writes nothing; it checks that the write could happen.
    static func checkWritableFolder(of path: String, builtin: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) else {
            throw BuiltinFailure("\(builtin)(): cannot write \(path): its folder is missing or not writable")
        }
    }
}
