import CJPEG
import Foundation
import GirdTensor

/// Tiny image folders in the exact layouts of ImageNet and Tiny ImageNet,
/// generated in the tests (never downloaded): seeded JPEGs written by
/// libjpeg-turbo.
public enum TestImageFolders {
    /// Writes a width x height RGB JPEG of seeded pixels (gradients and
    /// noise; quality 90), making its folder.
    /// With a `colour`, the image is that colour with noise (a vehicle
    /// whose identity a small network can learn).
    public static func writeJPEG(_ path: String, width: Int, height: Int, seed: UInt64,
                                 colour: (Int, Int, Int)? = nil) throws {
        let generator = RandomGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let noise = Int(generator.nextUniform() * 40)
                let at = (y * width + x) * 3
                if let (r, g, b) = colour {
                    pixels[at] = UInt8(min(255, r + noise))
                    pixels[at + 1] = UInt8(min(255, g + noise))
                    pixels[at + 2] = UInt8(min(255, b + (x * 40 / max(width, 1))))
                    continue
                }
                pixels[at] = UInt8((x * 255 / max(width - 1, 1) + noise) % 256)
                pixels[at + 1] = UInt8((y * 255 / max(height - 1, 1) + noise) % 256)
                pixels[at + 2] = UInt8((x + y + noise) % 256)
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

    /// `folder/VeRi` in VeRi-776's layout: image_train/ with `trainVehicles`
    /// vehicles (ids 1, 2, ...) of 4 images each from cameras 1 and 2;
    /// image_query/ with one image each of vehicles 101, 102, 103 (camera 1);
    /// image_test/ (the gallery) with 3 images of each query vehicle
    /// (cameras 1, 2, 3) and 2 of vehicle 104. Each vehicle is a colour, so
    /// that a network can learn them; photos of varied sizes (wider than
    /// high, as vehicles are). No name_*.txt lists unless `lists`. Returns the root.
    public static func veri776(in folder: String, trainVehicles: Int = 6, lists: Bool = false) throws -> String {
        let root = folder + "/VeRi"
        func colour(_ id: Int) -> (Int, Int, Int) { ((id * 97) % 200, (id * 57) % 200, (id * 151) % 200) }
        func name(_ id: Int, _ camera: Int, _ k: Int) -> String {
            String(format: "%04d_c%03d_%08d_%d.jpg", id, camera, 16_000 + 37 * k + id, k)
        }
        var written: [String: [String]] = [:]
        func write(_ folderName: String, _ id: Int, _ camera: Int, _ k: Int) throws {
            let file = name(id, camera, k)
            try writeJPEG("\(root)/\(folderName)/\(file)", width: 48 + 4 * (k % 3), height: 36 + 2 * (id % 4),
                          seed: UInt64(id * 1000 + camera * 10 + k), colour: colour(id))
            written[folderName, default: []].append(file)
        }
        for id in 1...trainVehicles {
            for k in 0..<4 { try write("image_train", id, 1 + k % 2, k) }
        }
        for id in 101...103 { try write("image_query", id, 1, 9) }
        for id in 101...103 {
            for camera in 1...3 { try write("image_test", id, camera, camera) }
        }
        for k in 0..<2 { try write("image_test", 104, 2 + k, k) }
        if lists {
            for (folderName, list) in [("image_train", "name_train.txt"), ("image_query", "name_query.txt"), ("image_test", "name_test.txt")] {
                try Data((written[folderName]!.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: "\(root)/\(list)"))
            }
        }
        return root
    }
}
