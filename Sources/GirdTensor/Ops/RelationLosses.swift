import Foundation

/// How `relationLosses` compares one layer's student and teacher relations.
public enum RelationSimilarityLoss: Equatable, Sendable {
    /// Row-wise KL(softmax(t/τ) ‖ softmax(s/τ)), summed over rows, divided by B (no τ² factor).
    case kl(temperature: Float)
    /// Mean squared difference over the compared entries.
    case mse
}

/// How `relationLosses` compares the change of relations between two layers.
public enum RelationEvolutionLoss: Equatable, Sendable {
    case mse
    /// Huber with δ = 1: 0.5 x² where |x| ≤ 1, |x| − 0.5 elsewhere.
    case huber
}

/// GIRD's relation losses in one fused op: for L layers of B x C relation
/// matrices (student and teacher, given as column blocks: the batch block
/// and the memory-bank block, read in place), the entries compared are the
/// valid columns of each block except the diagonal (global column i of row
/// i). With M the number of compared entries and, per row, p_T = softmax
/// of t/τ and q_S = softmax of s/τ over its compared entries:
///
///     sim[l]    kl:  (1/B) Σ_i KL(p_T,i ‖ q_S,i)       mse: Σ (s − t)² / M
///     evo[l,m]  x = (s_m − s_l) − (t_m − t_l);   mse: Σ x² / M   huber: Σ h(x) / M
///
/// The result is [L + P]: the L similarity terms, then one per pair. A row
/// with no compared entry contributes 0 (one image, an empty bank).
///
/// Why one op: the relation matrices are B x (B + K) with K up to 16384, and
/// the chain of generic ops (gather, scale, softmax, log-softmax, KL,
/// differences, squares, means) would allocate and sweep each of them a dozen
/// times per layer and network. Here each row is gathered once into
/// contiguous scratch, every term is computed with SIMD loops, and the
/// derivative of each term with respect to the student entries is kept
/// (compact, compared entries only), so the backward is a weighted sum and a
/// scatter:
///
///     kl:   d sim / ds = (q_S − p_T) / (B τ)      mse: 2 (s − t) / M
///     evo:  d evo / ds_m = − d evo / ds_l = x · 2 / M  (mse),  clamp(x, −1, 1) / M  (huber)
extension Tensor {
    public static func relationLosses(student: [[Tensor]], teacher: [[Tensor]], validColumns: [Int],
                                      similarity: RelationSimilarityLoss, evolution: RelationEvolutionLoss,
                                      pairs: [(Int, Int)]) throws -> Tensor {
        let op = "relationLosses"
        let layers = student.count
        guard layers >= 1, teacher.count == layers else {
            throw TensorError.invalidArgument(op: op, message: "needs one or more layers, as many for the teacher as for the student; got \(layers) and \(teacher.count)")
        }
        guard let batch = student[0].first?.shape.first else {
            throw TensorError.invalidArgument(op: op, message: "a layer has no relation block")
        }
        for (layer, (studentBlocks, teacherBlocks)) in zip(student, teacher).enumerated() {
            guard studentBlocks.count == validColumns.count, teacherBlocks.count == validColumns.count else {
                throw TensorError.invalidArgument(op: op, message: "layer \(layer) has \(studentBlocks.count) student and \(teacherBlocks.count) teacher blocks for \(validColumns.count) valid-column counts")
            }
            for (block, (studentBlock, teacherBlock)) in zip(studentBlocks, teacherBlocks).enumerated() {
                guard studentBlock.shape == teacherBlock.shape, studentBlock.rank == 2, studentBlock.shape[0] == batch,
                      studentBlock.dtype == .float32, teacherBlock.dtype == .float32,
                      (0...studentBlock.shape[1]).contains(validColumns[block]),
                      studentBlock.shape == student[0][block].shape else {
                    throw TensorError.invalidArgument(op: op, message: "layer \(layer) block \(block): student \(formatShape(studentBlock.shape)) and teacher \(formatShape(teacherBlock.shape)) must be float32 [\(batch), c] like layer 0's, with \(validColumns[block]) <= c valid columns")
                }
            }
        }
        if case let .kl(temperature) = similarity, !(temperature > 0) {
            throw TensorError.invalidArgument(op: op, message: "temperature must be positive, got \(temperature)")
        }
        for (l, m) in pairs where !(0..<layers).contains(l) || !(0..<layers).contains(m) || l == m {
            throw TensorError.invalidArgument(op: op, message: "pair (\(l), \(m)) does not name two layers of \(layers)")
        }

        // The compared entries of row i, in order: block by block, its valid
        // columns, skipping global column i.
        let widths = student[0].map { $0.shape[1] }
        var offsets: [Int] = [], offset = 0
        for width in widths { offsets.append(offset); offset += width }
        func segments(row: Int) -> [(block: Int, start: Int, end: Int)] {
            var result: [(block: Int, start: Int, end: Int)] = []
            for block in widths.indices {
                let local = row - offsets[block]
                if (0..<validColumns[block]).contains(local) {
                    if local > 0 { result.append((block, 0, local)) }
                    if local + 1 < validColumns[block] { result.append((block, local + 1, validColumns[block])) }
                } else if validColumns[block] > 0 {
                    result.append((block, 0, validColumns[block]))
                }
            }
            return result
        }
        let rowSegments = (0..<batch).map(segments)
        let rowCounts = rowSegments.map { $0.reduce(0) { $0 + $1.end - $1.start } }
        var rowStarts: [Int] = [], entries = 0
        for count in rowCounts { rowStarts.append(entries); entries += count }

        let studentPointers = student.map { $0.map { $0.plain().floats.baseAddress! } }
        let teacherPointers = teacher.map { $0.map { $0.plain().floats.baseAddress! } }
        let widest = rowCounts.max() ?? 0

        // The derivatives of each term with respect to the compared student entries.
        let needsGradient = GradMode.isEnabled && student.joined().contains { $0.requiresGrad }
        let jacobians = RelationJacobians(count: needsGradient ? layers + pairs.count : 0, entries: entries)
        let meanScale = entries > 0 ? 1 / Float(entries) : 0
        // Each row's contribution to each term, summed below in row order:
        // the rows run on several threads, and the sums do not depend on how
        // many (a run is the same at any thread count).
        let termCount = layers + pairs.count
        let rowValues = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, batch * termCount))
        rowValues.initialize(repeating: 0, count: Swift.max(1, batch * termCount))
        defer { rowValues.deallocate() }

        // One row: its entries of every layer copied out, then each term.
        func process(rows: Range<Int>) {
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, widest * (2 * layers + 3)))
            defer { scratch.deallocate() }
            func studentRow(_ layer: Int) -> UnsafeMutablePointer<Float> { scratch + layer * widest }
            func teacherRow(_ layer: Int) -> UnsafeMutablePointer<Float> { scratch + (layers + layer) * widest }
            let work = scratch + 2 * layers * widest
            let (workA, workB, workC) = (work, work + widest, work + 2 * widest)
            for row in rows where rowCounts[row] > 0 {
                let n = rowCounts[row]
                let values = rowValues + row * termCount
                for layer in 0..<layers {
                    var s = studentRow(layer), t = teacherRow(layer)
                    for segment in rowSegments[row] {
                        let length = segment.end - segment.start
                        let source = row * widths[segment.block] + segment.start
                        s.update(from: studentPointers[layer][segment.block] + source, count: length)
                        t.update(from: teacherPointers[layer][segment.block] + source, count: length)
                        s += length
                        t += length
                    }
                }
                for layer in 0..<layers {
                    let s = studentRow(layer), t = teacherRow(layer)
                    switch similarity {
                    case let .kl(temperature):
                        let inverse = 1 / temperature
                        let maxS = RelationKernels.max(s, n), maxT = RelationKernels.max(t, n)
                        for j in 0..<n {
                            workA[j] = (s[j] - maxS) * inverse
                            workB[j] = (t[j] - maxT) * inverse
                            workC[j] = workB[j] - workA[j]
                        }
                        RelationKernels.exp(workA, n)
                        RelationKernels.exp(workB, n)
                        let totalS = VectorKernels.sum(workA, n), totalT = VectorKernels.sum(workB, n)
                        // Σ p_T (log p_T − log q_S) with Σ p_T = 1.
                        values[layer] = Double(VectorKernels.dot(workB, workC, n) / totalT)
                            + Double(Foundation.log(totalS)) - Double(Foundation.log(totalT))
                        if needsGradient {
                            let scale = inverse / Float(batch), inverseS = 1 / totalS, inverseT = 1 / totalT
                            let d = jacobians.term(layer) + rowStarts[row]
                            for j in 0..<n { d[j] = (workA[j] * inverseS - workB[j] * inverseT) * scale }
                        }
                    case .mse:
                        for j in 0..<n { workA[j] = s[j] - t[j] }
                        values[layer] = Double(VectorKernels.dot(workA, workA, n))
                        if needsGradient {
                            let scale = 2 * meanScale
                            let d = jacobians.term(layer) + rowStarts[row]
                            for j in 0..<n { d[j] = workA[j] * scale }
                        }
                    }
                }
                for (index, (l, m)) in pairs.enumerated() {
                    let sl = studentRow(l), sm = studentRow(m), tl = teacherRow(l), tm = teacherRow(m)
                    for j in 0..<n { workA[j] = (sm[j] - sl[j]) - (tm[j] - tl[j]) }
                    switch evolution {
                    case .mse:
                        values[layers + index] = Double(VectorKernels.dot(workA, workA, n))
                    case .huber:
                        for j in 0..<n {
                            let size = Swift.abs(workA[j])
                            workB[j] = size <= 1 ? 0.5 * workA[j] * workA[j] : size - 0.5
                        }
                        values[layers + index] = Double(VectorKernels.sum(workB, n))
                    }
                    if needsGradient {
                        let d = jacobians.term(layers + index) + rowStarts[row]
                        switch evolution {
                        case .mse:
                            let scale = 2 * meanScale
                            for j in 0..<n { d[j] = workA[j] * scale }
                        case .huber:
                            for j in 0..<n { d[j] = Swift.min(Swift.max(workA[j], -1), 1) * meanScale }
                        }
                    }
                }
            }
        }
        // Rows split into as many contiguous chunks as compute threads (the
        // native libraries' threads are idle here); small problems stay on
        // this thread.
        let chunks = entries * termCount < 1 << 16 ? 1 : Swift.min(ComputeThreads.count, batch)
        if chunks <= 1 {
            process(rows: 0..<batch)
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                process(rows: (batch * chunk / chunks)..<(batch * (chunk + 1) / chunks))
            }
        }
        var similarityValues = [Double](repeating: 0, count: layers), evolutionValues = [Double](repeating: 0, count: pairs.count)
        for row in 0..<batch where rowCounts[row] > 0 {
            for layer in 0..<layers { similarityValues[layer] += rowValues[row * termCount + layer] }
            for index in pairs.indices { evolutionValues[index] += rowValues[row * termCount + layers + index] }
        }
        let similarityDivisor: Double
        switch similarity {
        case .kl: similarityDivisor = Double(batch)
        case .mse: similarityDivisor = Double(Swift.max(entries, 1))
        }
        let values = similarityValues.map { Float($0 / similarityDivisor) }
            + evolutionValues.map { Float($0 / Double(Swift.max(entries, 1))) }
        let result = try Tensor(shape: [layers + pairs.count], values: values)
        guard needsGradient else { return result }

        let inputs = Array(student.joined()) + Array(teacher.joined())
        let blockShapes = student[0].map(\.shape)
        return result.recorded(op, inputs) { g in
            let weights = g.plain().toArray()
            var gradients: [Tensor?] = []
            let combined = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(entries, 1))
            defer { combined.deallocate() }
            for layer in 0..<layers {
                let weight = weights[layer]
                let similarity = jacobians.term(layer)
                for j in 0..<entries { combined[j] = similarity[j] * weight }
                for (index, (l, m)) in pairs.enumerated() where l == layer || m == layer {
                    let weight = (m == layer ? 1 : -1) * weights[layers + index]
                    let d = jacobians.term(layers + index)
                    for j in 0..<entries { combined[j] += d[j] * weight }
                }
                let blocks = blockShapes.map { Tensor.zeros($0) }
                let destinations = blocks.map { $0.mutableFloats.baseAddress! }
                for row in 0..<batch {
                    var source = rowStarts[row]
                    for segment in rowSegments[row] {
                        let length = segment.end - segment.start
                        (destinations[segment.block] + row * widths[segment.block] + segment.start)
                            .update(from: combined + source, count: length)
                        source += length
                    }
                }
                gradients += blocks.map { $0 as Tensor? }
            }
            return gradients + Array(repeating: nil, count: layers * widths.count)
        }
    }
}

/// The per-term derivatives `relationLosses` keeps for its backward: one
/// buffer of `entries` floats per term, written by disjoint rows from
/// several threads (which Swift arrays would not allow), freed with the tape.
final class RelationJacobians {
    private let storage: UnsafeMutablePointer<Float>
    private let entries: Int

    init(count: Int, entries: Int) {
        self.entries = Swift.max(entries, 1)
        storage = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, count * self.entries))
        storage.initialize(repeating: 0, count: Swift.max(1, count * self.entries))
    }

    deinit { storage.deallocate() }

    func term(_ index: Int) -> UnsafeMutablePointer<Float> { storage + index * entries }
}

/// The element-wise loops `relationLosses` needs beyond `VectorKernels`.
enum RelationKernels {
    /// The largest value, within a few ulps: max(a, b) = (a + b + |a − b|) / 2
    /// keeps to plain SIMD arithmetic (the generic `pointwiseMax` ran lane by
    /// lane). A softmax only shifts by it, which any value that close does.
    static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        var best = SIMD16<Float>(repeating: -Float.greatestFiniteMagnitude)
        var i = 0
        while i + 16 <= n {
            best = largest(best, raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
            i += 16
        }
        var result = -Float.greatestFiniteMagnitude
        for lane in 0..<16 { result = Swift.max(result, best[lane]) }
        while i < n { result = Swift.max(result, x[i]); i += 1 }
        return result
    }

    @inline(__always)
    static func largest(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        (a + b + absolute(a - b)) * 0.5
    }

    @inline(__always)
    static func absolute(_ x: SIMD16<Float>) -> SIMD16<Float> {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7fff_ffff, to: SIMD16<Float>.self)
    }

    /// x ← exp(x) in place, for x ≤ 0 (arguments after subtracting a row's
    /// maximum). Cephes' single-precision scheme: 2^k · p(r) with
    /// r = x − k ln 2 in [−ln2/2, ln2/2], a degree-6 polynomial, about 1 ulp
    /// of relative error.
    static func exp(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        let raw = UnsafeMutableRawPointer(x)
        var i = 0
        while i + 16 <= n {
            raw.storeBytes(of: exp16(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)),
                           toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { x[i] = Foundation.exp(x[i]); i += 1 }
    }

    @inline(__always)
    static func exp16(_ input: SIMD16<Float>) -> SIMD16<Float> {
        // Below −87 the result would leave the normal range; there it is
        // exp(−87) ≈ 1.6e−38 instead of 0, which no sum notices.
        // x0 = max(x, −87), exact above −87: there |y| − y is exactly 0.
        let y = input + 87
        let x0 = input + (absolute(y) - y) * 0.5
        // k = round(x log2 e) by the 1.5·2^23 trick: adding it leaves the
        // rounded integer in the low mantissa bits (plain SIMD arithmetic,
        // where `rounded` and Int conversions would run lane by lane).
        let magic = SIMD16<Float>(repeating: 12582912)
        let shifted = x0 * 1.44269504088896341 + magic
        let k = shifted - magic
        var r = x0 - k * 0.693359375
        r = r + k * 2.12194440e-4
        var p = SIMD16<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        return p * unsafeBitCast((integer &+ 127) &<< 23, to: SIMD16<Float>.self)
    }
}
