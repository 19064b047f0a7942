import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

/// The batch-hard triplet loss against its formula written out in Double
/// (hardest positive and negative by loops), and its gradient against
/// central finite differences of that formula.
final class TripletTests: XCTestCase {
    /// Hermans et al.'s loss in Double: mean over anchors with a negative of
    /// max(0, d⁺ − d⁻ + m), or log(1 + exp(d⁺ − d⁻)) with `soft`.
    func reference(_ f: [Double], rows: Int, labels: [Int64], margin: Double, soft: Bool, normalize: Bool) -> Double {
        let columns = f.count / rows
        var x = f
        if normalize {
            for i in 0..<rows {
                let norm = max((0..<columns).map { x[i * columns + $0] * x[i * columns + $0] }.reduce(0, +).squareRoot(), 1e-12)
                for k in 0..<columns { x[i * columns + k] /= norm }
            }
        }
        func distance(_ i: Int, _ j: Int) -> Double {
            (0..<columns).map { let d = x[i * columns + $0] - x[j * columns + $0]; return d * d }.reduce(0, +).squareRoot()
        }
        var total = 0.0, anchors = 0
        for i in 0..<rows {
            var positive = 0.0, negative = Double.infinity
            for j in 0..<rows {
                if labels[j] == labels[i] { positive = max(positive, distance(i, j)) } else { negative = min(negative, distance(i, j)) }
            }
            guard negative.isFinite else { continue }
            anchors += 1
            total += soft ? log(1 + exp(positive - negative)) : max(0, positive - negative + margin)
        }
        return anchors == 0 ? 0 : total / Double(anchors)
    }

    func features(_ rows: Int, _ columns: Int, seed: UInt64) -> [Float] {
        let generator = RandomGenerator(seed: seed)
        return (0..<(rows * columns)).map { _ in generator.nextUniform() * 2 - 1 }
    }

    func testValueAndGradientMatchTheFormula() throws {
        let labels: [Int64] = [0, 0, 1, 1, 2, 2, 3, 3, 1]
        let rows = labels.count, columns = 5
        for (soft, normalize, margin) in [(false, false, 0.3), (true, false, 0.3), (false, true, 0.5), (false, false, 2.0)] {
            let values = features(rows, columns, seed: 11)
            let x = try Tensor(shape: [rows, columns], values: values).requiringGrad()
            let loss = try BatchHardTriplet.loss(features: x, labels: try Tensor(shape: [rows], indices: labels),
                                                 margin: Float(margin), soft: soft, normalize: normalize)
            let expected = reference(values.map(Double.init), rows: rows, labels: labels, margin: margin, soft: soft, normalize: normalize)
            XCTAssertEqual(Double(try loss.item()), expected, accuracy: 1e-5 * max(1, expected), "soft \(soft) normalize \(normalize)")
            XCTAssertGreaterThan(expected, 0)
            try loss.backward()
            let gradient = try XCTUnwrap(x.grad).toArray()
            let eps = 1e-4
            for index in values.indices {
                var plus = values.map(Double.init), minus = plus
                plus[index] += eps
                minus[index] -= eps
                let numeric = (reference(plus, rows: rows, labels: labels, margin: margin, soft: soft, normalize: normalize)
                    - reference(minus, rows: rows, labels: labels, margin: margin, soft: soft, normalize: normalize)) / (2 * eps)
                XCTAssertEqual(Double(gradient[index]), numeric, accuracy: 1e-4 + 1e-3 * abs(numeric),
                               "element \(index), soft \(soft) normalize \(normalize)")
            }
        }
    }

    func testOneIdentityGivesZeroAndAFarNegativeNoLoss() throws {
        let x = try Tensor(shape: [3, 2], values: [0, 0, 1, 0, 0, 1]).requiringGrad()
        let same = try BatchHardTriplet.loss(features: x, labels: try Tensor(shape: [3], indices: [4, 4, 4]))
        XCTAssertEqual(try same.item(), 0)
        try same.backward()
        XCTAssertEqual(x.grad?.toArray(), [0, 0, 0, 0, 0, 0])
        // Positives at distance 1, the negative 10 away: 1 − 10 + 0.3 < 0 for every anchor.
        let far = try Tensor(shape: [3, 2], values: [0, 0, 1, 0, 10, 0])
        XCTAssertEqual(try BatchHardTriplet.loss(features: far, labels: try Tensor(shape: [3], indices: [0, 0, 1])).item(), 0)
    }

    func testTermReadsItsTapAndNeedsNoTeacher() throws {
        let term = try BatchHardTriplet(margin: 0.3, tap: "neck")
        XCTAssertTrue((term as DistillationMethod) is SupervisedMethod)
        let student = try ModelZoo.make("resnet8", classes: 4, head: .reid)
        XCTAssertEqual(try term.configure(student: student, teacher: student), TapRequest(student: ["neck"]))
        XCTAssertEqual(try MethodCatalog.entry(named: "triplet").resolve().values["margin"], .number(0.3))
        XCTAssertThrowsError(try BatchHardTriplet(margin: -1))
        // A distiller without a teacher takes ce and triplet, and refuses a term that reads a teacher.
        XCTAssertNoThrow(try Distiller(teacher: nil, terms: [DistillationTerm(CrossEntropyTerm()), DistillationTerm(term)]))
        XCTAssertEqual("\(try XCTUnwrap(catching { try Distiller(teacher: nil, terms: [DistillationTerm(KnowledgeDistillation(temperature: 4))]) }))",
                       "kd reads a teacher; without one only the student's own terms apply (ce, triplet)")
    }

    private func catching(_ body: () throws -> Any) -> Error? {
        do { _ = try body(); return nil } catch { return error }
    }
}
