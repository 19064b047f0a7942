import CPNG

/// A matrix of values as an 8-bit grey PNG in memory (libpng's simplified
/// API), for TensorBoard's image summaries: `low` is black, `high` white,
/// each cell `scale` x `scale` pixels.
public enum GrayscalePNG {
    public static func encode(_ values: [Float], rows: Int, columns: Int, low: Float, high: Float,
                              scale: Int = 1) throws -> [UInt8] {
        guard rows > 0, columns > 0, values.count == rows * columns, scale >= 1, high > low else {
            throw TensorBoardError.invalidImage(
                "\(values.count) values for \(rows) x \(columns) cells, scale \(scale), range \(low)...\(high)")
        }
        let width = columns * scale, height = rows * scale
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let value = values[(y / scale) * columns + x / scale]
                let level = value.isFinite ? min(max((value - low) / (high - low), 0), 1) : 0
                pixels[y * width + x] = UInt8((level * 255).rounded())
            }
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = 0  // PNG_FORMAT_GRAY: one byte per pixel
        // The first call sizes the file, the second writes it.
        var size = 0
        var written = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, Int32(width), nil) }
        var bytes = [UInt8](repeating: 0, count: size)
        if written != 0 {
            written = bytes.withUnsafeMutableBytes { output in
                pixels.withUnsafeBytes { png_image_write_to_memory(&image, output.baseAddress, &size, 0, $0.baseAddress, Int32(width), nil) }
            }
        }
        let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        png_image_free(&image)
        guard written != 0 else {
            throw TensorBoardError.invalidImage("libpng could not encode \(width) x \(height) pixels: \(message.isEmpty ? "no reason given" : message)")
        }
        return Array(bytes.prefix(size))
    }
}
