import GirdTensor

/// A 2-D plane of float values, row-major: what a heatmap draws.
public struct ValueGrid: Equatable {
    public let rows: Int
    public let columns: Int
    public let values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows * columns == values.count, "ValueGrid: \(rows) x \(columns) does not hold \(values.count) values")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// The plane of `tensor` to draw: a matrix as it is, a vector as one
    /// row, channel `channel` of a [C, H, W] map, or of sample `sample` of an
    /// [N, C, H, W] batch (a REPL user looks at one example at a time).
    public init(_ tensor: Tensor, channel: Int = 0, sample: Int = 0) throws {
        guard tensor.dtype == .float32 else {
            throw ViewError.notAMatrix(shape: tensor.shape, reason: "only float32 tensors have a heatmap")
        }
        let shape = tensor.shape
        switch shape.count {
        case 1:
            self.init(rows: 1, columns: shape[0], values: tensor.toArray())
        case 2:
            self.init(rows: shape[0], columns: shape[1], values: tensor.toArray())
        case 3, 4:
            let channels = shape[shape.count - 3]
            guard channel >= 0, channel < channels else {
                throw ViewError.channelOutOfRange(channel: channel, channels: channels)
            }
            if shape.count == 4 && shape[0] == 0 {
                throw ViewError.notAMatrix(shape: shape, reason: "the batch is empty")
            }
            let samples = shape.count == 4 ? shape[0] : 1
            guard sample >= 0, sample < samples else {
                throw ViewError.notAMatrix(shape: shape, reason: "sample \(sample) is outside the \(samples) sample(s)")
            }
            let height = shape[shape.count - 2], width = shape[shape.count - 1]
            let plane = height * width
            // Row-major: sample n's channel c starts at (n·C + c)·H·W.
            let start = (sample * channels + channel) * plane
            let all = tensor.toArray()
            self.init(rows: height, columns: width, values: Array(all[start ..< start + plane]))
        default:
            throw ViewError.notAMatrix(shape: shape, reason: "expected a matrix, a [C, H, W] map or an [N, C, H, W] batch")
        }
    }

    /// The smallest and largest finite values; nil when there are none.
    public var finiteRange: (min: Float, max: Float)? {
        var low = Float.infinity, high = -Float.infinity
        for value in values where value.isFinite {
            low = Swift.min(low, value)
            high = Swift.max(high, value)
        }
        return low <= high ? (low, high) : nil
    }

    /// This grid shrunk to at most `maxRows` x `maxColumns` by averaging
    /// blocks (PyTorch's adaptive-pooling bins: `floor(i·in/out)` to
    /// `ceil((i+1)·in/out)`), so every input cell contributes. A block with
    /// a NaN stays NaN: a NaN is what a user most needs to see.
    public func downsampled(maxRows: Int, maxColumns: Int) -> ValueGrid {
        let outRows = Swift.min(rows, Swift.max(1, maxRows))
        let outColumns = Swift.min(columns, Swift.max(1, maxColumns))
        if outRows == rows && outColumns == columns { return self }
        var result = [Float](repeating: 0, count: outRows * outColumns)
        for i in 0 ..< outRows {
            let rowRange = ValueGrid.bin(i, of: outRows, over: rows)
            for j in 0 ..< outColumns {
                let columnRange = ValueGrid.bin(j, of: outColumns, over: columns)
                var sum = 0.0
                for r in rowRange {
                    for c in columnRange { sum += Double(values[r * columns + c]) }
                }
                result[i * outColumns + j] = Float(sum / Double(rowRange.count * columnRange.count))
            }
        }
        return ValueGrid(rows: outRows, columns: outColumns, values: result)
    }

    private static func bin(_ index: Int, of count: Int, over size: Int) -> Range<Int> {
        let start = index * size / count
        let end = ((index + 1) * size + count - 1) / count
        return start ..< end
    }
}
