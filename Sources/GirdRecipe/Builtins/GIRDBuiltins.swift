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
                .tensor(try GIRD.relation(batch: try arguments.tensor("e_batch"), bank: try arguments.tensor("bank")))
            },
            Builtin("gird_loss", "*, student, teacher, bank_student: none, bank_teacher: none, tau: 0.1, pool: \"gap\", "
                    + "sim_loss: \"kl\", evo_loss: \"mse\", evo_pairs: \"consecutive\"",
                    doc: "GIRD's losses of feature maps against banks: {sim: [per layer], evo: [per pair], total} (beta = gamma = 1)") { arguments in
                let student = try tensors(arguments, "student"), teacher = try tensors(arguments, "teacher")
                // GIRD's options are read where `gird()` reads them: its catalog entry.
                var given: [String: MethodArgument] = ["tau": .number(try arguments.double("tau"))]
                for option in ["pool", "sim_loss", "evo_loss", "evo_pairs"] { given[option] = .string(try arguments.string(option)) }
                let configuration = try GIRD.Configuration(try GIRD.catalogEntry.resolve(given))
                try configuration.validate()
                let emptyBank = { (maps: [Tensor]) throws -> [Tensor] in
                    try maps.map { Tensor.zeros([0, try GIRD.embedding($0, pool: configuration.pool).shape[1]]) }
                }
                let bankStudent = try optionalTensors(arguments, "bank_student") ?? emptyBank(student)
                let bankTeacher = try optionalTensors(arguments, "bank_teacher") ?? emptyBank(teacher)
                let result = try GIRD.losses(student: student, teacher: teacher, bankStudent: bankStudent,
                                             bankTeacher: bankTeacher, configuration: configuration)
                return .record(Record([("sim", .list(result.sim.map { .tensor($0) })), ("evo", .list(result.evo.map { .tensor($0) })),
                                       ("total", .tensor(result.total))]))
            },
        ]
    }

    private static func tensors(_ arguments: BuiltinArguments, _ name: String) throws -> [Tensor] {
        try arguments.list(name).map { value in
            guard case .tensor(let tensor) = value else {
                throw BuiltinFailure("\(arguments.builtin.name)(): \(name) must be a list of tensors, got a list holding a \(value.typeName)")
            }
            return tensor
        }
    }

    private static func optionalTensors(_ arguments: BuiltinArguments, _ name: String) throws -> [Tensor]? {
        if case .none = arguments[name] { return nil }
        return try tensors(arguments, name)
    }
}
