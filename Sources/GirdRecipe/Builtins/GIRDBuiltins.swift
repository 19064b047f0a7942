import GirdDistill
import GirdTensor

/// GIRD's functional forms, for inspecting relations and checking losses by
/// hand: `gird_relation(e, bank)` and `gird_loss(student:, teacher:, ...)`
/// (`docs/methods/gird.md`). Both are differentiable in the student's inputs.
extension BuiltinRegistry {
    static var girdBuiltins: [Builtin] {
        [
            Builtin("gird_relation", "e_batch, bank",
                    doc: "GIRD's relation R = e . [e; bank]^T, B x (B+n), of embeddings already L2-normalised (bank: n x d, no gradient)") { arguments in
                .tensor(try GIRD.relation(batch: try arguments.tensor(0), bank: try arguments.tensor(1)))
            },
            Builtin("gird_loss", "*, student, teacher, bank_student: none, bank_teacher: none, tau: 0.1, pool: \"gap\", "
                    + "sim_loss: \"kl\", evo_loss: \"mse\", evo_pairs: \"consecutive\"",
                    doc: "GIRD's losses of feature maps against banks: {sim: [per layer], evo: [per pair], total} (beta = gamma = 1)") { arguments in
                let student = try tensors(arguments, 0, "student"), teacher = try tensors(arguments, 1, "teacher")
                let emptyBank = { (maps: [Tensor]) throws -> [Tensor] in
                    try maps.map { Tensor.zeros([0, try GIRD.embedding($0, pool: try GIRD.Pooling(try arguments.string(5))).shape[1]]) }
                }
                let bankStudent = try optionalTensors(arguments, 2, "bank_student") ?? emptyBank(student)
                let bankTeacher = try optionalTensors(arguments, 3, "bank_teacher") ?? emptyBank(teacher)
                var configuration = GIRD.Configuration()
                configuration.temperature = Float(try arguments.double(4))
                guard configuration.temperature > 0 else {
                    throw BuiltinFailure("gird_loss(): tau must be positive, got \(Value.format(try arguments.double(4)))")
                }
                configuration.pool = try GIRD.Pooling(try arguments.string(5))
                configuration.similarityLoss = try GIRD.SimilarityLoss(parsing: try arguments.string(6), setting: "sim_loss")
                configuration.evolutionLoss = try GIRD.EvolutionLoss(parsing: try arguments.string(7), setting: "evo_loss")
                configuration.evolutionPairs = try GIRD.EvolutionPairs(parsing: try arguments.string(8), setting: "evo_pairs")
                let result = try GIRD.losses(student: student, teacher: teacher, bankStudent: bankStudent,
                                             bankTeacher: bankTeacher, configuration: configuration)
                return .record(Record([("sim", .list(result.sim.map { .tensor($0) })), ("evo", .list(result.evo.map { .tensor($0) })),
                                       ("total", .tensor(result.total))]))
            },
        ]
    }

    private static func tensors(_ arguments: BuiltinArguments, _ index: Int, _ name: String) throws -> [Tensor] {
        try arguments.list(index).map { value in
            guard case .tensor(let tensor) = value else {
                throw BuiltinFailure("\(arguments.builtin.name)(): \(name) must be a list of tensors, got a list holding a \(value.typeName)")
            }
            return tensor
        }
    }

    private static func optionalTensors(_ arguments: BuiltinArguments, _ index: Int, _ name: String) throws -> [Tensor]? {
        if case .none = arguments[index] { return nil }
        return try tensors(arguments, index, name)
    }
}
