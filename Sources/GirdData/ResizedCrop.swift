import Foundation
import GirdTensor

/// The crop boxes and the resize of torchvision's ImageNet transforms, on
/// images held as planes ([C, H, W] bytes): `RandomResizedCrop`'s random box
/// (`get_params`), `Resize(short)` + `CenterCrop(size)`'s, and PIL's
/// bilinear resize of a box (`ImageFolder.coefficients`, the same filter
/// `image_folder` uses), each plane on its own (PIL resizes interleaved
/// pixels with the same weights per channel, so the bytes are the same).
public enum ResizedCrop {
    /// A box of an image: rows top..<top+height, columns left..<left+width.
    public struct Box: Equatable, Sendable {
        public var top: Int, left: Int, height: Int, width: Int

        public init(top: Int, left: Int, height: Int, width: Int) {
            self.top = top
            self.left = left
            self.height = height
            self.width = width
        }
    }

    /// torchvision 0.14's `RandomResizedCrop.get_params`: up to ten tries of
    /// an area fraction uniform in `scale` and an aspect ratio log-uniform in
    /// `ratio`, w = round(sqrt(area·r)), h = round(sqrt(area/r)) (Python's
    /// round, ties to even), the first that fits placed uniformly; else the
    /// whole image clamped to the ratio range, centred. The draws come from
    /// `generator` (GIRD's, not PyTorch's stream).
    public static func randomBox(width: Int, height: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                                 generator: RandomGenerator) -> Box {
        let area = Double(width * height)
        let logRatio = (log(ratio.lowerBound), log(ratio.upperBound))
        for _ in 0..<10 {
            let targetArea = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * Double(generator.nextUniform()))
            let aspect = exp(logRatio.0 + (logRatio.1 - logRatio.0) * Double(generator.nextUniform()))
            let w = Int((targetArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((targetArea / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0, w <= width, h > 0, h <= height {
                let top = generator.nextInt(below: height - h + 1)
                let left = generator.nextInt(below: width - w + 1)
                return Box(top: top, left: left, height: h, width: w)
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        return Box(top: (height - h) / 2, left: (width - w) / 2, height: h, width: w)
    }

    /// torchvision's `Resize(short)` of a width x height image: the shorter
    /// side becomes `short`, the longer int(short · long / shorter).
    public static func resizedSize(width: Int, height: Int, short: Int) -> (width: Int, height: Int) {
        width <= height ? (short, short * height / width) : (short * width / height, short)
    }

    /// torchvision's `CenterCrop(size)` box of a width x height image: top
    /// int(round((height - size) / 2)), ties to even, left likewise.
    public static func centerBox(width: Int, height: Int, size: Int) -> Box {
        Box(top: Int((Double(height - size) / 2).rounded(.toNearestOrEven)),
            left: Int((Double(width - size) / 2).rounded(.toNearestOrEven)), height: size, width: size)
    }

    /// The three planes of `box` of an interleaved RGB image.
    static func planes(of image: RGBImage, box: Box) -> [UInt8] {
        let plane = box.width * box.height
        var out = [UInt8](repeating: 0, count: 3 * plane)
        image.pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<box.height {
                    let row = ((box.top + y) * image.width + box.left) * 3
                    for x in 0..<box.width {
                        let from = row + 3 * x, to = y * box.width + x
                        target[to] = source[from]
                        target[plane + to] = source[from + 1]
                        target[2 * plane + to] = source[from + 2]
                    }
                }
            }
        }
        return out
    }

    /// `box` of an RGB image resized to outWidth x outHeight (see
    /// `resizedPlanes`), as 3 planes or, with `channels` 1, their grey: PIL's
    /// `convert("L")` after the resize, as torchvision's `Grayscale()` comes
    /// after `Resize`.
    static func resized(_ image: RGBImage, box: Box, toWidth outWidth: Int, height outHeight: Int, channels: Int,
                        columns: ClosedRange<Double>? = nil, rows: ClosedRange<Double>? = nil) -> [UInt8] {
        let rgb = resizedPlanes(of: image, box: box, toWidth: outWidth, height: outHeight, columns: columns, rows: rows)
        guard channels == 1 else { return rgb }
        let plane = outWidth * outHeight
        return (0..<plane).map { ImageFolder.grey(rgb[$0], rgb[plane + $0], rgb[2 * plane + $0]) }
    }

    /// torchvision's `Resize(resize)` + `CenterCrop(size)` of a whole RGB
    /// image, as `channels` planes of size x size bytes.
    static func resizedAndCentreCropped(_ image: RGBImage, resize: Int, size: Int, channels: Int) -> [UInt8] {
        let (width, height) = resizedSize(width: image.width, height: image.height, short: resize)
        let whole = Box(top: 0, left: 0, height: image.height, width: image.width)
        let resized = resized(image, box: whole, toWidth: width, height: height, channels: channels)
        let box = centerBox(width: width, height: height, size: size)
        var out = [UInt8](repeating: 0, count: channels * size * size)
        for channel in 0..<channels {
            for y in 0..<size {
                let from = (channel * height + box.top + y) * width + box.left, to = (channel * size + y) * size
                for x in 0..<size { out[to + x] = resized[from + x] }
            }
        }
        return out
    }

    /// PIL's `BILINEAR` resize (`Image.resize`) of each of `channels` planes
    /// of width x height bytes to outWidth x outHeight: the horizontal pass
    /// first, rounded to bytes, then the vertical one; a pass whose size does
    /// not change is skipped, as in PIL. Sums are Int32 in 22-bit fixed
    /// point, as PIL's 8-bit passes keep them (weights are non-negative and
    /// sum to 2^22, so a sum stays below 2^31).
    /// `columns` and `rows` are the parts of the planes the output covers (in
    /// pixels, fractional where a box was scaled with its image; PIL's
    /// `box`), the whole planes by default.
    public static func resize(_ planes: [UInt8], channels: Int, width: Int, height: Int,
                              toWidth outWidth: Int, height outHeight: Int,
                              columns: ClosedRange<Double>? = nil, rows: ClosedRange<Double>? = nil) -> [UInt8] {
        var current = planes, currentWidth = width
        if outWidth != width || columns != nil {
            let taps = Taps(ImageFolder.coefficients(input: width, output: outWidth, span: columns))
            var out = [UInt8](repeating: 0, count: channels * height * outWidth)
            current.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    taps.weights.withUnsafeBufferPointer { weights in
                        for row in 0..<(channels * height) {
                            let input = source.baseAddress! + row * width, output = target.baseAddress! + row * outWidth
                            for x in 0..<outWidth {
                                let from = input + Int(taps.starts[x]), kernel = weights.baseAddress! + x * taps.size
                                var sum = Int32(1 << (ImageFolder.precisionBits - 1))
                                for k in 0..<Int(taps.counts[x]) { sum &+= Int32(from[k]) &* kernel[k] }
                                output[x] = clip8(sum)
                            }
                        }
                    }
                }
            }
            current = out
            currentWidth = outWidth
        }
        if outHeight != height || rows != nil {
            let taps = Taps(ImageFolder.coefficients(input: height, output: outHeight, span: rows))
            var out = [UInt8](repeating: 0, count: channels * outHeight * currentWidth)
            // Row by row: each output row accumulates whole input rows, a loop
            // over contiguous bytes the compiler vectorises.
            var sums = [Int32](repeating: 0, count: currentWidth)
            current.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    sums.withUnsafeMutableBufferPointer { sums in
                        for channel in 0..<channels {
                            let plane = source.baseAddress! + channel * height * currentWidth
                            for y in 0..<outHeight {
                                for x in 0..<currentWidth { sums[x] = Int32(1 << (ImageFolder.precisionBits - 1)) }
                                for k in 0..<Int(taps.counts[y]) {
                                    let row = plane + (Int(taps.starts[y]) + k) * currentWidth, weight = taps.weights[y * taps.size + k]
                                    for x in 0..<currentWidth { sums[x] &+= Int32(row[x]) &* weight }
                                }
                                let output = target.baseAddress! + (channel * outHeight + y) * currentWidth
                                for x in 0..<currentWidth { output[x] = clip8(sums[x]) }
                            }
                        }
                    }
                }
            }
            current = out
        }
        return current
    }

    /// `box` of an interleaved RGB image resized to outWidth x outHeight as
    /// three planes: the same bytes as `resize(planes(of:box:), ...)`.
    /// The horizontal pass runs on the box transposed (columns as rows), so
    /// that, like the vertical pass, it adds whole contiguous rows, which the
    /// compiler vectorises; integer sums do not depend on their order, so
    /// the bytes are PIL's all the same. It is the loader's crop, 3x faster
    /// than a pass that gathers each output pixel's inputs along a row.
    ///
    /// `columns` and `rows`, relative to the box, are the part of it the
    /// output covers (see `resize`), the whole box by default.
    static func resizedPlanes(of image: RGBImage, box: Box, toWidth outWidth: Int, height outHeight: Int,
                              columns: ClosedRange<Double>? = nil, rows spanOfRows: ClosedRange<Double>? = nil) -> [UInt8] {
        guard outWidth != box.width || columns != nil else {
            return resize(planes(of: image, box: box), channels: 3, width: box.width, height: box.height,
                          toWidth: outWidth, height: outHeight, rows: spanOfRows)
        }
        let spanOfColumns = columns
        let (columns, rows) = (box.width, box.height)
        // The box's planes transposed: plane c, column x is the row of `rows` bytes at (c * columns + x) * rows.
        // In 16 x 16 tiles, so that reads and writes both stay in cache lines.
        var transposed = [UInt8](repeating: 0, count: 3 * columns * rows)
        image.pixels.withUnsafeBufferPointer { source in
            transposed.withUnsafeMutableBufferPointer { target in
                let base = source.baseAddress!, out = target.baseAddress!
                for y0 in stride(from: 0, to: rows, by: 16) {
                    for x0 in stride(from: 0, to: columns, by: 16) {
                        for y in y0..<Swift.min(y0 &+ 16, rows) {
                            let row = base + ((box.top &+ y) &* image.width &+ box.left) &* 3
                            for x in x0..<Swift.min(x0 &+ 16, columns) {
                                let pixel = row + x &* 3, at = x &* rows &+ y
                                out[at] = pixel[0]
                                out[columns &* rows &+ at] = pixel[1]
                                out[2 &* columns &* rows &+ at] = pixel[2]
                            }
                        }
                    }
                }
            }
        }
        // The horizontal pass as a vertical one over the transposed planes: outWidth x rows each.
        let narrowed = resize(transposed, channels: 3, width: rows, height: columns, toWidth: rows, height: outWidth,
                              rows: spanOfColumns)
        // Back to rows x outWidth planes, in tiles again.
        var planes = [UInt8](repeating: 0, count: 3 * rows * outWidth)
        narrowed.withUnsafeBufferPointer { source in
            planes.withUnsafeMutableBufferPointer { target in
                for channel in 0..<3 {
                    let from = source.baseAddress! + channel &* outWidth &* rows
                    let to = target.baseAddress! + channel &* rows &* outWidth
                    for x0 in stride(from: 0, to: outWidth, by: 16) {
                        for y0 in stride(from: 0, to: rows, by: 16) {
                            for x in x0..<Swift.min(x0 &+ 16, outWidth) {
                                for y in y0..<Swift.min(y0 &+ 16, rows) { to[y &* outWidth &+ x] = from[x &* rows &+ y] }
                            }
                        }
                    }
                }
            }
        }
        return resize(planes, channels: 3, width: outWidth, height: rows, toWidth: outWidth, height: outHeight, rows: spanOfRows)
    }

    @inline(__always)
    private static func clip8(_ sum: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: Swift.min(Swift.max(sum >> Int32(ImageFolder.precisionBits), 0), 255))
    }

    /// The coefficients with a fixed stride, as PIL keeps them: output i
    /// reads `counts[i]` inputs from `starts[i]` with weights
    /// `weights[i * size ..< i * size + counts[i]]`.
    private struct Taps {
        let size: Int
        let starts: [Int32], counts: [Int32], weights: [Int32]

        init(_ coefficients: [(start: Int, weights: [Int32])]) {
            size = max(1, coefficients.map(\.weights.count).max() ?? 1)
            starts = coefficients.map { Int32($0.start) }
            counts = coefficients.map { Int32($0.weights.count) }
            var weights = [Int32](repeating: 0, count: coefficients.count * size)
            for (i, own) in coefficients.enumerated() {
                for (k, weight) in own.weights.enumerated() { weights[i * size + k] = weight }
            }
            self.weights = weights
        }
    }

    /// `box` of an image of `channels` planes, resized to size x size.
    static func crop(_ planes: [UInt8], channels: Int, width: Int, height: Int, box: Box, size: Int) -> [UInt8] {
        var cropped = [UInt8](repeating: 0, count: channels * box.width * box.height)
        for channel in 0..<channels {
            for y in 0..<box.height {
                let from = (channel * height + box.top + y) * width + box.left
                let to = (channel * box.height + y) * box.width
                for x in 0..<box.width { cropped[to + x] = planes[from + x] }
            }
        }
        return resize(cropped, channels: channels, width: box.width, height: box.height, toWidth: size, height: size)
    }
}
