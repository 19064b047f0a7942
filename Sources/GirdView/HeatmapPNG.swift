import CPNG
import Foundation
import GirdTensor

/// `heatmap(t, path)`: the plane `show` draws, as an RGB PNG for papers:
/// viridis over the finite min...max, NaN magenta, each cell `scale` x
/// `scale` pixels (no smoothing, so cells stay crisp when printed).
public enum HeatmapPNG {
    public static func write(_ tensor: Tensor, to path: String, scale: Int = 1, channel: Int = 0,
                             colorMap: ColorMap = .viridis) throws {
        let grid = try ValueGrid(tensor, channel: channel)
        guard grid.rows > 0, grid.columns > 0 else {
            throw ViewError.cannotWrite(path: path, reason: "a PNG cannot be empty (shape \(shapeText(tensor.shape)))")
        }
        guard scale >= 1, scale <= 64 else {
            throw ViewError.cannotWrite(path: path, reason: "scale must be between 1 and 64, got \(scale)")
        }
        let pixels = rgbPixels(grid, scale: scale, colorMap: colorMap)
        try writeAtomically(pixels, width: grid.columns * scale, height: grid.rows * scale, to: path)
    }

    static func rgbPixels(_ grid: ValueGrid, scale: Int, colorMap: ColorMap) -> [UInt8] {
        let options = Heatmap.Options(mode: .trueColor, colorMap: colorMap)
        let mapping = Scale(grid: grid, options: options)
        let width = grid.columns * scale
        var pixels = [UInt8](repeating: 0, count: width * grid.rows * scale * 3)
        for y in 0 ..< grid.rows * scale {
            for x in 0 ..< width {
                let color = mapping.color(of: grid.values[(y / scale) * grid.columns + x / scale])
                let offset = (y * width + x) * 3
                pixels[offset] = color.red
                pixels[offset + 1] = color.green
                pixels[offset + 2] = color.blue
            }
        }
        return pixels
    }

    /// libpng writes to a temporary file beside `path`, renamed over it when
    /// complete: a figure being regenerated is never seen half-written.
    static func writeAtomically(_ pixels: [UInt8], width: Int, height: Int, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR)  // PNG_FORMAT_RGB: 3 bytes per pixel
        let written = pixels.withUnsafeBytes {
            png_image_write_to_file(&image, temporary, 0, $0.baseAddress, Int32(width * 3), nil)
        }
        let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        png_image_free(&image)
        guard written != 0 else {
            unlink(temporary)
            throw ViewError.cannotWrite(path: path, reason: message.isEmpty ? "libpng failed" : message)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ViewError.cannotWrite(path: path, reason: reason)
        }
    }
}
