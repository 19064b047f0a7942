/// GIRD's entry in `MethodCatalog`, with the recipe names of
/// `gird-method.md` (`gird(taps:, bank:, tau:, pool:, sim_loss:, evo_loss:,
/// evo_pairs:, beta:, gamma:)`). The term is the relation part alone, weight
/// 1 (β and γ weigh its parts inside); CE and KD are their own terms.
extension MethodCatalog {
    static let girdEntry = MethodEntry(
        name: "gird",
        summary: "Hu et al. 2024: global instance relations against a memory bank, and their evolution across layers",
        parameters: [
            .init("taps", .none, "layers tapped in both networks, shallow to deep (none: stem and every stage)"),
            .init("student_taps", .none, "student layers, when the two networks differ (pairs with teacher_taps)"),
            .init("teacher_taps", .none, "teacher layers, paired in order with student_taps"),
            .init("bank", .number(4096), "memory bank size K (0: the mini-batch only)"),
            .init("tau", .number(0.1), "temperature of the KL relation loss"),
            .init("pool", .string("gap"), "\"gap\", \"avg(k)\" or \"flatten\""),
            .init("sim_loss", .string("kl"), "\"kl\" or \"mse\""),
            .init("evo_loss", .string("mse"), "\"mse\" or \"huber\""),
            .init("evo_pairs", .string("consecutive"), "\"consecutive\" or \"all\""),
            .init("beta", .number(1), "weight of the similarity relation"),
            .init("gamma", .number(1), "weight of the relation evolution (0 switches it off)"),
        ],
        publishedWeight: 1) { arguments in
        let shared = try arguments.taps("taps")
        let student = try arguments.taps("student_taps"), teacher = try arguments.taps("teacher_taps")
        if shared != nil && (student != nil || teacher != nil) {
            throw DistillationError.invalidConfiguration("gird: give taps, or student_taps and teacher_taps, not both")
        }
        var configuration = GIRD.Configuration(studentTaps: shared ?? student, teacherTaps: shared ?? teacher)
        configuration.bankSize = try arguments.integer("bank")
        configuration.temperature = try arguments.float("tau")
        configuration.pool = try GIRD.Pooling(try arguments.string("pool"))
        configuration.similarityLoss = try GIRD.SimilarityLoss(parsing: try arguments.string("sim_loss"), setting: "sim_loss")
        configuration.evolutionLoss = try GIRD.EvolutionLoss(parsing: try arguments.string("evo_loss"), setting: "evo_loss")
        configuration.evolutionPairs = try GIRD.EvolutionPairs(parsing: try arguments.string("evo_pairs"), setting: "evo_pairs")
        configuration.similarityWeight = try arguments.float("beta")
        configuration.evolutionWeight = try arguments.float("gamma")
        return try GIRD(configuration: configuration)
    }
}
