import GirdNN
import GirdTensor

/// `summary(m)`: a model's layers, parameters and MACs (`ModelSummary`),
/// and for a student with its teacher the compression and the speed-up.
extension BuiltinRegistry {
    static var summaryBuiltins: [Builtin] {
        [
            Builtin("summary", "m, *, input: none, teacher: none, table: true",
                    doc: "prints a table of the model's layers (output shape, parameters, MACs per image) and returns {params, macs, layers}; with teacher:, also the compression ratios and eval latency at batch 1 and 64 (input: [N, C, H, W], default [1, in_channels, S, S] with S the model's image size (32; 224 for tv_ models)); table: false prints the totals only",
                    computes: true) { arguments in
                let object = try arguments.object("m", as: ModelObject.self, named: "model")
                let input: [Int]
                if case .none = arguments["input"] { input = [1, object.inChannels, object.network.imageSize, object.network.imageSize] } else { input = try arguments.ints("input") }
                guard input.count == 4, input.allSatisfy({ $0 > 0 }) else {
                    throw BuiltinFailure("summary(): input must be a shape [N, C, H, W] of positive sizes, got \(input)")
                }
                guard input[1] == object.inChannels else {
                    throw BuiltinFailure("summary(): the model takes \(object.inChannels) input channel\(object.inChannels == 1 ? "" : "s"), and input has \(input[1])")
                }
                let student = try arguments.context.interruptible(at: arguments.span) {
                    try ModelSummary.make(object.network, inputShape: input)
                }
                if try arguments.bool("table") { arguments.context.write(student.table + "\n") }
                var fields: [(String, Value)] = [
                    ("params", .int(Int64(student.parameters))), ("macs", .int(Int64(student.multiplyAccumulates))),
                    ("layers", .list(student.rows.map { row in
                        .record(Record([("name", .string(row.name)), ("kind", .string(row.kind)),
                                        ("output", .list(row.outputShape.map { .int(Int64($0)) })),
                                        ("params", .int(Int64(row.parameters))), ("macs", .int(Int64(row.multiplyAccumulates)))]))
                    })),
                ]
                if case .none = arguments["teacher"] { return .record(Record(fields)) }
                let teacherObject = try arguments.object("teacher", as: ModelObject.self, named: "model")
                guard teacherObject.inChannels == object.inChannels else {
                    throw BuiltinFailure("summary(): the teacher takes \(teacherObject.inChannels) input channels and the student \(object.inChannels)")
                }
                let comparison = try arguments.context.interruptible(at: arguments.span) {
                    try ModelComparison.make(student: object.network, teacher: teacherObject.network,
                                             inputShape: Array(input.dropFirst()))
                }
                arguments.context.write(comparison.text + "\n")
                fields += [
                    ("teacher", .record(Record([("params", .int(Int64(comparison.teacher.parameters))),
                                                ("macs", .int(Int64(comparison.teacher.multiplyAccumulates)))]))),
                    ("compression", .record(Record([("params", .float(comparison.parameterRatio)),
                                                    ("macs", .float(comparison.multiplyAccumulateRatio))]))),
                    ("latency_ms", .record(Record(comparison.latencies.map { latency in
                        ("batch\(latency.batch)", .record(Record([("student", .float(latency.student)),
                                                                  ("teacher", .float(latency.teacher))])))
                    }))),
                ]
                return .record(Record(fields))
            },
        ]
    }
}
