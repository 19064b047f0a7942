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

    /// JPEG (baseline or progressive; grey and YCbCr as libjpeg-turbo converts
    /// them, CMYK and YCCK as PIL does: see `gird_jpeg_decode_rgb_scaled`) to
    /// 8-bit RGB, at `eighths`/8 of its size (1 to 8: DCT scaling).
    static func decodeJPEG(_ bytes: [UInt8], eighths: Int = 8) throws -> RGBImage {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = bytes.withUnsafeBufferPointer { source in
            message.withUnsafeMutableBufferPointer { text in
                gird_jpeg_decode_rgb_scaled(source.baseAddress, UInt(source.count), Int32(eighths), &output, &width, &height,
                                            text.baseAddress)
            }
        }
        guard status == 0, let output else { throw DecodeFailure(message: Self.jpegMessage(message)) }
        defer { free(output) }
        let count = Int(width) * Int(height) * 3
        return RGBImage(width: Int(width), height: Int(height),
                        pixels: Array(UnsafeBufferPointer(start: output, count: count)))
    }

    /// Rows `box.top ..< box.top + box.height` and at least the box's columns
    /// of a JPEG decoded at `eighths`/8 of its size (coordinates in that scaled
    /// image); the image returned holds whole iMCU columns, starting at
    /// column `firstColumn` of the scaled image.
    ///
    /// The columns asked of libjpeg-turbo reach one pixel past the box on
    /// each side where the image allows: its fancy (smooth) upsampling of
    /// chroma reads the neighbouring column, which a crop's edge column does
    /// not have (it repeats itself), so the box's own columns come out as in
    /// a full decode only when they are inside the cropped region.
    static func decodeJPEGRegion(_ bytes: [UInt8], eighths: Int, scaledWidth: Int, box requested: ResizedCrop.Box) throws
        -> (image: RGBImage, firstColumn: Int) {
        var box = requested
        let left = max(0, requested.left - 1), right = min(scaledWidth, requested.left + requested.width + 1)
        box.left = left
        box.width = right - left
        var first: Int32 = 0, width: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        var status: Int32 = -1
        // Decoded straight into the array (the cropped width is at most the scaled image's).
        let capacity = box.height * scaledWidth * 3
        let pixels = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            status = bytes.withUnsafeBufferPointer { source in
                message.withUnsafeMutableBufferPointer { text in
                    gird_jpeg_decode_rgb_region(source.baseAddress, UInt(source.count), Int32(eighths), Int32(box.left),
                                                Int32(box.top), Int32(box.width), Int32(box.height), buffer.baseAddress,
                                                capacity, &first, &width, text.baseAddress)
                }
            }
            guard status == 0 else {
                count = 0
                throw DecodeFailure(message: Self.jpegMessage(message))
            }
            count = Int(width) * box.height * 3
        }
        return (RGBImage(width: Int(width), height: box.height, pixels: pixels), Int(first))
    }

    /// A JPEG's full width and height, from its headers alone.
    static func jpegSize(_ bytes: [UInt8]) throws -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = bytes.withUnsafeBufferPointer { source in
            message.withUnsafeMutableBufferPointer { text in
                gird_jpeg_read_size(source.baseAddress, UInt(source.count), &width, &height, text.baseAddress)
            }
        }
        guard status == 0 else { throw DecodeFailure(message: Self.jpegMessage(message)) }
        guard width > 0, height > 0, Int(width) * Int(height) <= 1 << 28 else {
            throw DecodeFailure(message: "image size \(width)x\(height) is out of range")
        }
        return (Int(width), Int(height))
    }

    private static func jpegMessage(_ message: [CChar]) -> String {
        let text = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "libjpeg failed without a message" : text
    }
}
