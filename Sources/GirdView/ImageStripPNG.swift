import Foundation

/// Images side by side in one row, each framed in a colour: a re-ID
/// query's top matches (`reid_strip`), the query framed blue, the gallery
/// images green where they show the query's identity and red where not,
/// as torchreid's `visualize_ranked_results` draws them.
public enum ImageStripPNG {
    public struct Tile {
        /// Bytes [C, H, W], C 1 (grey) or 3 (RGB planes).
        public var pixels: [UInt8]
        public var channels: Int
        public var height: Int
        public var width: Int
        public var frame: RGB

        public init(pixels: [UInt8], channels: Int, height: Int, width: Int, frame: RGB) {
            self.pixels = pixels
            self.channels = channels
            self.height = height
            self.width = width
            self.frame = frame
        }
    }

    public static let query = RGB(30, 90, 230)
    public static let match = RGB(20, 170, 40)
    public static let mismatch = RGB(220, 30, 30)

    /// The tiles left to right with a `border`-pixel frame each and `gap`
    /// white pixels between them (twice the gap after the first, which sets
    /// the query apart), written atomically as an RGB PNG.
    public static func write(_ tiles: [Tile], to path: String, border: Int = 4, gap: Int = 6) throws {
        guard let first = tiles.first else { throw ViewError.cannotWrite(path: path, reason: "no images to draw") }
        guard tiles.allSatisfy({ ($0.channels == 1 || $0.channels == 3) && $0.pixels.count == $0.channels * $0.height * $0.width
            && $0.height == first.height }) else {
            throw ViewError.cannotWrite(path: path, reason: "the images must be grey or RGB planes of one height")
        }
        let height = first.height + 2 * border
        var width = 0
        var lefts: [Int] = []
        for (index, tile) in tiles.enumerated() {
            width += index == 0 ? 0 : (index == 1 ? 2 * gap : gap)
            lefts.append(width)
            width += tile.width + 2 * border
        }
        var canvas = [UInt8](repeating: 255, count: width * height * 3)
        for (tile, left) in zip(tiles, lefts) {
            for y in 0..<height {
                for x in 0..<(tile.width + 2 * border) {
                    let offset = (y * width + left + x) * 3
                    let (ty, tx) = (y - border, x - border)
                    guard ty >= 0, ty < tile.height, tx >= 0, tx < tile.width else {
                        (canvas[offset], canvas[offset + 1], canvas[offset + 2]) = (tile.frame.red, tile.frame.green, tile.frame.blue)
                        continue
                    }
                    let plane = tile.height * tile.width, at = ty * tile.width + tx
                    for c in 0..<3 { canvas[offset + c] = tile.pixels[(tile.channels == 3 ? c * plane : 0) + at] }
                }
            }
        }
        try HeatmapPNG.writeAtomically(canvas, width: width, height: height, to: path)
    }
}
