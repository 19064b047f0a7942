import CJPEG
import CPNG
import Glibc

/// An 8-bit RGB image, rows top to bottom, pixels interleaved [H, W, 3].
struct RGBImage {
    var width: Int
    var height: Int
    var pixels: [UInt8]
}

/// The C decoders behind `Dataset.imageFolder`. Neither can crash on a bad
/// file: libpng's simplified API (`png_image_*`) reports errors in
/// `image.message` without a longjmp into Swift, and libjpeg's `error_exit`
/// longjmps only inside the C helper `gird_jpeg_decode_rgb` (Sources/CJPEG/shim.h),
/// which does its own setjmp.
enum ImageDecoding {
    enum Format: String { case png = "PNG", jpeg = "JPEG" }

    /// The format by the file's first bytes (the signature), else by its extension.
    static func format(of bytes: [UInt8], path: String) -> Format {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8]) { return .jpeg }
        return path.lowercased().hasSuffix(".png") ? .png : .jpeg
    }

    /// Decodes the file at `path` to RGB; errors name the file.
    static func decode(path: String) throws -> RGBImage {
        let file = try DatasetFile.read(path, hint: "the file went away while the folder was read")
        let format = format(of: file.bytes, path: path)
        do {
            switch format {
            case .png: return try decodePNG(file.bytes)
            case .jpeg: return try decodeJPEG(file.bytes)
            }
        } catch let reason as DecodeFailure {
            throw DatasetError.system(path: path, action: "decode \(format.rawValue)", reason: reason.message)
        }
    }

    struct DecodeFailure: Error { let message: String }

    /// PNG of any colour type and depth to 8-bit RGB: palette expanded, grey
    /// replicated, 16-bit reduced to 8 (the `png_set_expand` / `strip_16`
    /// work, done by the simplified API), and alpha dropped as PIL's
    /// `convert("RGB")` does (read as RGBA, not composited, then stripped).
    static func decodePNG(_ bytes: [UInt8]) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure() -> DecodeFailure {
            let text = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            return DecodeFailure(message: text.isEmpty ? "libpng failed without a message" : text)
        }
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw failure() }
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)  // PNG_FORMAT_RGBA
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            throw DecodeFailure(message: "image size \(width)x\(height) is out of range")
        }
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = rgba.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * 4), nil)
        }
        guard finished != 0 else { throw failure() }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<width * height {
            rgb[3 * i] = rgba[4 * i]
            rgb[3 * i + 1] = rgba[4 * i + 1]
            rgb[3 * i + 2] = rgba[4 * i + 2]
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    /// JPEG (baseline or progressive, grey, YCbCr or CMYK as libjpeg-turbo
    /// converts them) to 8-bit RGB with `out_color_space = JCS_RGB`.
    static func decodeJPEG(_ bytes: [UInt8]) throws -> RGBImage {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = bytes.withUnsafeBufferPointer { source in
            message.withUnsafeMutableBufferPointer { text in
                gird_jpeg_decode_rgb(source.baseAddress, UInt(source.count), &output, &width, &height, text.baseAddress)
            }
        }
        guard status == 0, let output else {
            let text = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DecodeFailure(message: text.isEmpty ? "libjpeg failed without a message" : text)
        }
        defer { free(output) }
        let count = Int(width) * Int(height) * 3
        return RGBImage(width: Int(width), height: Int(height),
                        pixels: Array(UnsafeBufferPointer(start: output, count: count)))
    }
}
