import Foundation
import GirdData
import GirdNN
import GirdRun
import GirdTensor
import GirdTrain
import CZlib

/// The targets over files a user downloads or is sent: weights,
/// checkpoints, arrays, datasets, images, run directories.
extension FuzzTargets {
    static let fileFormats: [FuzzTarget] = [
        FuzzTarget("safetensors", "SafeTensors.load and .metadata of a .safetensors file", dictionary: "safetensors.dict") { bytes in
            let path = try Scratch.file("input.safetensors", bytes)
            _ = try SafeTensors.metadata(contentsOf: path)
            _ = try SafeTensors.load(contentsOf: path)
        },
        FuzzTarget("checkpoint", "a training checkpoint restored into a resnet8 and SGD (CheckpointReader)",
                   dictionary: "safetensors.dict") { bytes in
            _ = try CheckpointReader.read(try Scratch.file("checkpoint.safetensors", bytes), into: checkpointModel)
        },
        FuzzTarget("npy", "NumPyFile.load of a .npy file", dictionary: "npy.dict") { bytes in
            _ = try NumPyFile.load(contentsOf: try Scratch.file("input.npy", bytes))
        },
        FuzzTarget("idx", "Dataset.idx: an IDX image file (the input) with a valid 1-label file, plain and gzip-compressed") { bytes in
            try idx(bytes)
        },
        FuzzTarget("idx-labels", "Dataset.idx: a valid 1-image file with an IDX label file (the input)") { bytes in
            let folder = try Scratch.folder("idx-labels")
            let images = try Scratch.file("images-idx3-ubyte", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4], in: folder)
            _ = try Dataset.idx(images: images, labels: try Scratch.file("labels-idx1-ubyte", bytes, in: folder))
        },
        FuzzTarget("cifar", "Dataset.cifar10 and cifar100 of a binary batch file (the input as test_batch.bin and test.bin)") { bytes in
            let folder = try Scratch.folder("cifar")
            _ = try Scratch.file("test_batch.bin", bytes, in: folder)
            _ = try Scratch.file("test.bin", bytes, in: folder)
            _ = try? Dataset.cifar10(split: .test, root: folder)
            _ = try Dataset.cifar100(split: .test, root: folder)
        },
        FuzzTarget("png", "Dataset.imageFolder of a folder holding one PNG (the input), resized to 8x8", dictionary: "png.dict") { bytes in
            try imageFolder(bytes, fileName: "image.png")
        },
        FuzzTarget("jpeg", "Dataset.imageFolder of a folder holding one JPEG (the input), resized to 8x8", dictionary: "jpeg.dict") { bytes in
            try imageFolder(bytes, fileName: "image.jpg")
        },
        FuzzTarget("run-json", "RunFile.read of a run directory's run.json (the input)", dictionary: "json.dict") { bytes in
            let folder = try Scratch.folder("run")
            _ = try Scratch.file(RunSpecification.fileName, bytes, in: folder)
            _ = try RunFile.read(from: folder)
        },
        FuzzTarget("tensorboard", "EventFileWriter.read of an events.out.tfevents file") { bytes in
            _ = try EventFileWriter.read(try Scratch.file("events.out.tfevents.0.fuzz", bytes))
        },
    ]

    /// The model checkpoints are restored into; built once (its weights change, its shape never).
    nonisolated(unsafe) static let checkpointModel: Network = try! ModelZoo.make("resnet8", classes: 10, inChannels: 1)

    static func idx(_ bytes: [UInt8]) throws {
        let folder = try Scratch.folder("idx")
        let labels = try Scratch.file("labels-idx1-ubyte", [0, 0, 8, 1, 0, 0, 0, 1, 3], in: folder)
        _ = try? Dataset.idx(images: try Scratch.file("images-idx3-ubyte", bytes, in: folder), labels: labels)
        _ = try Dataset.idx(images: try gzipFile(folder + "/images-idx3-ubyte.gz", bytes), labels: labels)
    }

    /// The bytes gzip-compressed into `path` (zlib's gzwrite), as IDX files are distributed.
    static func gzipFile(_ path: String, _ bytes: [UInt8]) throws -> String {
        guard let file = gzopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
        defer { gzclose(file) }
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        }
        return path
    }

    static func imageFolder(_ bytes: [UInt8], fileName: String) throws {
        let folder = try Scratch.folder("images")
        try FileManager.default.createDirectory(atPath: folder + "/class", withIntermediateDirectories: true)
        _ = try Scratch.file("class/" + fileName, bytes, in: folder)
        _ = try Dataset.imageFolder(root: folder, size: 8)
    }
}
