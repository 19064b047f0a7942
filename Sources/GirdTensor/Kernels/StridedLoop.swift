/// Walks the elements of an n-dimensional result whose operands are read
/// through strides (0 along broadcast axes), one contiguous row of the result
/// at a time, so that the inner loop is a plain vectorisable loop.
struct StridedLoop {
    /// Axes after merging neighbours that every operand walks contiguously.
    let shape: [Int]
    let strides: [[Int]]

    init(shape: [Int], operandStrides: [[Int]]) {
        var mergedShape: [Int] = []
        var merged: [[Int]] = Array(repeating: [], count: operandStrides.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = mergedShape.last,
               operandStrides.indices.allSatisfy({ i in
                   merged[i].last! == operandStrides[i][axis] * shape[axis]
               }) {
                mergedShape[mergedShape.count - 1] = last * shape[axis]
                for i in operandStrides.indices { merged[i][merged[i].count - 1] = operandStrides[i][axis] }
            } else {
                mergedShape.append(shape[axis])
                for i in operandStrides.indices { merged[i].append(operandStrides[i][axis]) }
            }
        }
        if mergedShape.isEmpty {
            mergedShape = [1]
            merged = merged.map { _ in [0] }
        }
        self.shape = mergedShape
        self.strides = merged
    }

    var rowLength: Int { shape.last! }
    var rowCount: Int { shape.dropLast().reduce(1, *) }

    /// The inner stride of operand `i`: 0 (broadcast) or its own step.
    func rowStride(_ i: Int) -> Int { strides[i].last! }

    /// Calls `body(row, offsets)` for each row in row-major order, with the
    /// offset of the row's first element in every operand.
    func forEachRow(_ body: (_ row: Int, _ offsets: UnsafeBufferPointer<Int>) -> Void) {
        let outer = shape.count - 1
        var index = [Int](repeating: 0, count: max(outer, 0))
        var offsets = [Int](repeating: 0, count: strides.count)
        offsets.withUnsafeMutableBufferPointer { offsets in
            for row in 0..<rowCount {
                body(row, UnsafeBufferPointer(offsets))
                // Advance the multi-index over the outer axes, odometer style.
                var axis = outer - 1
                while axis >= 0 {
                    index[axis] += 1
                    for i in 0..<strides.count { offsets[i] += strides[i][axis] }
                    if index[axis] < shape[axis] { break }
                    for i in 0..<strides.count { offsets[i] -= strides[i][axis] * shape[axis] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}
