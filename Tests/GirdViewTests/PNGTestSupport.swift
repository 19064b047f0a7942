import CPNG
import XCTest

/// Decodes a PNG with libpng's simplified API, as 8-bit RGB rows: what the
/// image tests compare pixel by pixel.
func readRGB(_ path: String) throws -> (width: Int, height: Int, pixels: [UInt8]) {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    defer { png_image_free(&image) }
    XCTAssertNotEqual(png_image_begin_read_from_file(&image, path), 0, path)
    image.format = UInt32(PNG_FORMAT_FLAG_COLOR)
    let width = Int(image.width), height = Int(image.height)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    let finished = pixels.withUnsafeMutableBytes {
        png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * 3), nil)
    }
    XCTAssertNotEqual(finished, 0, path)
    return (width, height, pixels)
}
