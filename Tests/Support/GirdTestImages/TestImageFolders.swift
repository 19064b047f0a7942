import CJPEG
import Foundation
import GirdTensor

/// Tiny image folders in the exact layouts of ImageNet and Tiny ImageNet,
/// generated in the tests (never downloaded): seeded JPEGs written by
/// libjpeg-turbo.
public enum TestImageFolders {
    /// Writes a width x height RGB JPEG of seeded pixels (gradients and
    /// noise; quality 90), making its folder.
    public static func writeJPEG(_ path: String, width: Int, height: Int, seed: UInt64) throws {
        let generator = RandomGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let noise = Int(generator.nextUniform() * 40)
                pixels[(y * width + x) * 3] = UInt8((x * 255 / max(width - 1, 1) + noise) % 256)
                pixels[(y * width + x) * 3 + 1] = UInt8((y * 255 / max(height - 1, 1) + noise) % 256)
                pixels[(y * width + x) * 3 + 2] = UInt8((x + y + noise) % 256)
            }
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var message = [CChar](repeating: 0, count: 256)
        guard gird_jpeg_encode_file(path, pixels, Int32(width), Int32(height), 3, 90, &message) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// `folder/imagenet`: train/<wnid>/*.JPEG and val/<wnid>/*.JPEG for the
    /// classes n01, n02, n03 (written out of order), 3 training images each
    /// of several sizes (one more in a sub-folder of n03), 1 validation
    /// image each. Returns the root.
    public static func imageNet(in folder: String) throws -> String {
        let root = folder + "/imagenet"
        var seed: UInt64 = 0
        for split in ["train", "val"] {
            for wnid in ["n02", "n01", "n03"] {
                for (k, size) in [(80, 60), (45, 70), (120, 90)].prefix(split == "train" ? 3 : 1).enumerated() {
                    seed += 1
                    try writeJPEG("\(root)/\(split)/\(wnid)/\(wnid)_\(k).JPEG", width: size.0, height: size.1, seed: seed)
                }
            }
        }
        try writeJPEG("\(root)/train/n03/more/n03_9.JPEG", width: 50, height: 50, seed: 99)
        return root
    }

    /// `folder/tiny-imagenet-200` as distributed: wnids.txt (n03, n01, n02),
    /// train/<wnid>/images/ with 2 JPEGs and a boxes file each, val/images/
    /// with 4 JPEGs (classes n02, n03, n01, n02) and val_annotations.txt.
    /// Returns the root.
    public static func tinyImageNet(in folder: String) throws -> String {
        let root = folder + "/tiny-imagenet-200"
        let wnids = ["n03", "n01", "n02"]
        try FileManager.default.createDirectory(atPath: root + "/val/images", withIntermediateDirectories: true)
        try Data((wnids.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: root + "/wnids.txt"))
        var seed: UInt64 = 100
        for wnid in wnids {
            for k in 0..<2 {
                seed += 1
                try writeJPEG("\(root)/train/\(wnid)/images/\(wnid)_\(k).JPEG", width: 64, height: 64, seed: seed)
            }
            try Data("\(wnid)_0.JPEG\t0\t0\t10\t10\n".utf8).write(to: URL(fileURLWithPath: "\(root)/train/\(wnid)/\(wnid)_boxes.txt"))
        }
        var annotations = ""
        for (k, wnid) in ["n02", "n03", "n01", "n02"].enumerated() {
            try writeJPEG("\(root)/val/images/val_\(k).JPEG", width: 64, height: 64, seed: 200 + UInt64(k))
            annotations += "val_\(k).JPEG\t\(wnid)\t1\t2\t60\t61\n"
        }
        try Data(annotations.utf8).write(to: URL(fileURLWithPath: root + "/val/val_annotations.txt"))
        return root
    }
}
