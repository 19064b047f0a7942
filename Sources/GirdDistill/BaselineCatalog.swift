/// The baselines' entries in `MethodCatalog`: each method's constructor
/// parameters under their recipe names, with the published defaults, and the
/// published weight of the term (RepDistiller's `-b`, mdistiller's configs).
extension MethodCatalog {
    static let studentTapsParameter = MethodEntry.Parameter(
        "student_taps", .none, "student layers, shallow to deep (none: the method's default)")
    static let teacherTapsParameter = MethodEntry.Parameter(
        "teacher_taps", .none, "teacher layers, paired in order with the student's (none: the method's default)")
    static let studentTapParameter = MethodEntry.Parameter("student_tap", .none, "student layer (none: the method's default)")
    static let teacherTapParameter = MethodEntry.Parameter("teacher_tap", .none, "teacher layer (none: the method's default)")

    static let baselineEntries: [MethodEntry] = [
        MethodEntry(name: "fitnet", summary: "Romero et al. 2015 (FitNets): MSE between a regressed student hint and the teacher's",
                    parameters: [studentTapParameter, teacherTapParameter],
                    publishedWeight: FitNet.publishedWeight) { arguments in
            try FitNet(studentTap: arguments.singleTap("student_tap"), teacherTap: arguments.singleTap("teacher_tap"))
        },
        MethodEntry(name: "at", summary: "Zagoruyko & Komodakis 2017: attention transfer of stage attention maps",
                    parameters: [.init("p", .number(2), "power of the attention map"), studentTapsParameter, teacherTapsParameter],
                    publishedWeight: AttentionTransfer.publishedWeight) { arguments in
            try AttentionTransfer(p: arguments.float("p"), studentTaps: arguments.taps("student_taps"),
                                  teacherTaps: arguments.taps("teacher_taps"))
        },
        MethodEntry(name: "sp", summary: "Tung & Mori 2019: similarity-preserving batch Gram matrices",
                    parameters: [studentTapsParameter, teacherTapsParameter],
                    publishedWeight: SimilarityPreserving.publishedWeight) { arguments in
            try SimilarityPreserving(studentTaps: arguments.taps("student_taps"), teacherTaps: arguments.taps("teacher_taps"))
        },
        MethodEntry(name: "cc", summary: "Peng et al. 2019: correlation congruence of embedded instances",
                    parameters: [.init("feat_dim", .number(128), "embedding size"), studentTapParameter, teacherTapParameter],
                    publishedWeight: CorrelationCongruence.publishedWeight) { arguments in
            try CorrelationCongruence(featureDimension: arguments.integer("feat_dim"),
                                      studentTap: arguments.singleTap("student_tap"),
                                      teacherTap: arguments.singleTap("teacher_tap"))
        },
        MethodEntry(name: "vid", summary: "Ahn et al. 2019: variational information distillation",
                    parameters: [studentTapsParameter, teacherTapsParameter,
                                 .init("init_pred_var", .number(5), "initial predicted variance"),
                                 .init("eps", .number(1e-5), "variance floor")],
                    publishedWeight: VariationalInformation.publishedWeight) { arguments in
            try VariationalInformation(studentTaps: arguments.taps("student_taps"), teacherTaps: arguments.taps("teacher_taps"),
                                       initialVariance: arguments.float("init_pred_var"), epsilon: arguments.float("eps"))
        },
        MethodEntry(name: "rkd", summary: "Park et al. 2019: relational KD (distance and angle)",
                    parameters: [.init("w_d", .number(25), "distance weight"), .init("w_a", .number(50), "angle weight"),
                                 studentTapParameter, teacherTapParameter],
                    publishedWeight: RelationalKD.publishedWeight) { arguments in
            try RelationalKD(distanceWeight: arguments.float("w_d"), angleWeight: arguments.float("w_a"),
                             studentTap: arguments.singleTap("student_tap"), teacherTap: arguments.singleTap("teacher_tap"))
        },
        MethodEntry(name: "pkt", summary: "Passalis & Tefas 2018: probabilistic knowledge transfer",
                    parameters: [studentTapParameter, teacherTapParameter],
                    publishedWeight: ProbabilisticKnowledgeTransfer.publishedWeight) { arguments in
            try ProbabilisticKnowledgeTransfer(studentTap: arguments.singleTap("student_tap"),
                                               teacherTap: arguments.singleTap("teacher_tap"))
        },
        MethodEntry(name: "crd", summary: "Tian et al. 2020: contrastive representation distillation (memory bank, NCE)",
                    parameters: [.init("feat_dim", .number(128), "embedding size"),
                                 .init("nce_k", .number(16384), "negatives per positive"),
                                 .init("nce_t", .number(0.07), "temperature"),
                                 .init("nce_m", .number(0.5), "memory momentum"),
                                 studentTapParameter, teacherTapParameter],
                    publishedWeight: ContrastiveRepresentation.publishedWeight) { arguments in
            try ContrastiveRepresentation(featureDimension: arguments.integer("feat_dim"), negatives: arguments.integer("nce_k"),
                                          temperature: arguments.float("nce_t"), momentum: arguments.float("nce_m"),
                                          studentTap: arguments.singleTap("student_tap"),
                                          teacherTap: arguments.singleTap("teacher_tap"))
        },
        MethodEntry(name: "dkd", summary: "Zhao et al. 2022: decoupled KD (target and non-target parts)",
                    parameters: [.init("alpha", .number(1), "TCKD weight"), .init("beta", .number(8), "NCKD weight"),
                                 .init("T", .number(4), "temperature"), .init("warmup", .number(20), "warm-up epochs")],
                    publishedWeight: DecoupledKD.publishedWeight) { arguments in
            try DecoupledKD(alpha: arguments.float("alpha"), beta: arguments.float("beta"),
                            temperature: arguments.float("T"), warmupEpochs: arguments.integer("warmup"))
        },
        MethodEntry(name: "reviewkd", summary: "Chen et al. 2021: knowledge review (attention-based fusion, HCL)",
                    parameters: [studentTapsParameter, teacherTapsParameter,
                                 .init("max_mid_channels", .number(512), "width of the fusion modules"),
                                 .init("warmup", .number(20), "warm-up epochs")],
                    publishedWeight: ReviewKD.publishedWeight) { arguments in
            try ReviewKD(studentTaps: arguments.taps("student_taps"), teacherTaps: arguments.taps("teacher_taps"),
                         maxMidChannels: arguments.integer("max_mid_channels"), warmupEpochs: arguments.integer("warmup"))
        },
        MethodEntry(name: "irg", summary: "Liu et al. 2019: instance relation graph (vertex, edge, transformation)",
                    parameters: [.init("w_vertex", .number(0.1), "vertex weight"), .init("w_edge", .number(5), "edge weight"),
                                 .init("w_transform", .number(5), "transformation weight"),
                                 studentTapsParameter, teacherTapsParameter],
                    publishedWeight: InstanceRelationGraph.publishedWeight) { arguments in
            try InstanceRelationGraph(vertexWeight: arguments.float("w_vertex"), edgeWeight: arguments.float("w_edge"),
                                      transformationWeight: arguments.float("w_transform"),
                                      studentMaps: arguments.taps("student_taps"), teacherMaps: arguments.taps("teacher_taps"))
        },
    ]
}

extension MethodArguments {
    /// One tap name, or nil for the method's default.
    func singleTap(_ name: String) throws -> String? {
        guard let taps = try taps(name) else { return nil }
        guard taps.count == 1 else {
            throw DistillationError.invalidConfiguration("\(method): \(name) names one layer, got \(taps.count)")
        }
        return taps[0]
    }
}
