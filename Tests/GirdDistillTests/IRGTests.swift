import XCTest
import GirdNN
import GirdTensor
@testable import GirdDistill

final class IRGTests: XCTestCase {
    private func graphs(_ fixture: ReferenceFixture) throws -> (student: InstanceRelationGraph.Graph, teacher: InstanceRelationGraph.Graph) {
        ((try fixture.input("student_first"), try fixture.input("student_second"), try fixture.input("student_embedding"),
          try fixture.input("student_logits")),
         (try fixture.input("teacher_first"), try fixture.input("teacher_second"), try fixture.input("teacher_embedding"),
          try fixture.input("teacher_logits")))
    }

    func testMatchesKnowledgeDistillationZooIRG() throws {
        let fixtures = try ReferenceFixture.cases(of: "irg")
        XCTAssertEqual(fixtures.count, 3)
        for fixture in fixtures {
            let (s, t) = try graphs(fixture)
            let method = try InstanceRelationGraph(vertexWeight: try fixture.float("w_vert"), edgeWeight: try fixture.float("w_edge"),
                                                   transformationWeight: try fixture.float("w_tran"),
                                                   studentMaps: ["a", "b"], teacherMaps: ["a", "b"])
            let step = try makeStep(studentLogits: s.logits, teacherLogits: t.logits,
                                    studentFeatures: ["a": s.first, "b": s.second, "embedding": s.embedding],
                                    teacherFeatures: ["a": t.first, "b": t.second, "embedding": t.embedding])
            try fixture.check(loss: try method.loss(step), leaves: [
                "student_first": s.first, "student_second": s.second, "student_embedding": s.embedding, "student_logits": s.logits])
        }
    }

    /// Each term alone, by its weight, against the reference's parts.
    func testTermsMatchTheReference() throws {
        let fixture = try ReferenceFixture(method: "irg", name: "b5_resnet_like")
        let (s, t) = try graphs(fixture)
        for (weights, output) in [((Float(1), Float(0), Float(0)), "vertex"), ((0, 1, 0), "edge"), ((0, 0, 1), "transformation")] {
            let value = try InstanceRelationGraph.loss(student: s, teacher: t, weights: weights).item()
            let expected = try XCTUnwrap(fixture.outputs[output]).toArray()[0]
            XCTAssertEqual(value, expected, accuracy: 1e-5 * abs(expected), output)
        }
    }

    /// Three instances on a line at 0, 1, 3: squared distances 1, 9, 4 over max 9.
    func testEdgesByHand() throws {
        let edges = try InstanceRelationGraph.edges(try Tensor(shape: [3, 1], values: [0, 1, 3])).toArray()
        let expected: [Float] = [0, 1, 9, 1, 0, 4, 9, 4, 0].map { $0 / 9 }
        for (got, want) in zip(edges, expected) { XCTAssertEqual(got, want, accuracy: 1e-7) }
    }

    /// The reference divides 0 by 0 for a batch of one; here the edges are 0 and the loss finite.
    func testBatchOfOneIsFinite() throws {
        let student: InstanceRelationGraph.Graph = (Tensor.ones([1, 2, 4, 4]), Tensor.ones([1, 4, 2, 2]), Tensor.ones([1, 4]),
                                                    Tensor.ones([1, 3]))
        let teacher: InstanceRelationGraph.Graph = (Tensor.zeros([1, 2, 4, 4]), Tensor.full([1, 4, 2, 2], value: 3), Tensor.zeros([1, 4]),
                                                    Tensor.zeros([1, 3]))
        // vertex 1 * 0.1; edges 0; transformation 1 vs 1 after max-normalisation: 0.
        XCTAssertEqual(try InstanceRelationGraph.loss(student: student, teacher: teacher, weights: (0.1, 5, 5)).item(), 0.1, accuracy: 1e-7)
    }

    func testBadConfigurationsAreRefused() throws {
        XCTAssertThrowsError(try InstanceRelationGraph(edgeWeight: -1)) {
            XCTAssertEqual("\($0)", "irg: edge weight must be zero or more, got -1.0")
        }
        XCTAssertThrowsError(try InstanceRelationGraph(studentMaps: ["stage3"])) {
            XCTAssertEqual("\($0)", "irg: needs exactly two feature maps per network, got [\"stage3\"]")
        }
        let distiller = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 2),
                                      terms: [DistillationTerm(try InstanceRelationGraph(studentMaps: ["stage1", "stage3"]))])
        XCTAssertThrowsError(try distiller.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32],
                                                   trainingSetSize: 1)) {
            XCTAssertEqual("\($0)", "irg: the student's maps [16, 32, 32] and [64, 8, 8] cannot be compared (the deeper one needs the same or twice the channels and no larger size)")
        }
        let classes = try Distiller(teacher: try ModelZoo.make("resnet8", classes: 3), terms: [DistillationTerm(try InstanceRelationGraph())])
        XCTAssertThrowsError(try classes.prepare(student: try ModelZoo.make("resnet8", classes: 2), imageShape: [3, 32, 32],
                                                 trainingSetSize: 1)) {
            XCTAssertEqual("\($0)", "irg: the student has [2] logits and the teacher [3]; they must match")
        }
        XCTAssertEqual(InstanceRelationGraph.publishedWeight, 1)
    }

    func testRunsInsideDistiller() throws {
        let method = try InstanceRelationGraph()
        let distiller = try assertRunsInsideDistiller(method)
        XCTAssertEqual(method.studentMaps, ["stage2", "stage3"])
        XCTAssertEqual(method.teacherMaps, ["stage2", "stage3"])
        XCTAssertTrue(distiller.trainableModules.isEmpty)
    }
}
