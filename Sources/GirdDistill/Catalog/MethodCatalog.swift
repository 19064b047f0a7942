import GirdNN
import GirdSuggestions

/// Every loss term by name, in the order the docs list them. Each method
/// declares its entry in its own file; adding a method is that file and one
/// line here.
public enum MethodCatalog {
    public static let entries: [MethodEntry] = [
        CrossEntropyTerm.catalogEntry,
        KnowledgeDistillation.catalogEntry,
        GIRD.catalogEntry,
        FitNet.catalogEntry,
        AttentionTransfer.catalogEntry,
        SimilarityPreserving.catalogEntry,
        CorrelationCongruence.catalogEntry,
        VariationalInformation.catalogEntry,
        RelationalKD.catalogEntry,
        ProbabilisticKnowledgeTransfer.catalogEntry,
        ContrastiveRepresentation.catalogEntry,
        DecoupledKD.catalogEntry,
        ReviewKD.catalogEntry,
        InstanceRelationGraph.catalogEntry,
        BatchHardTriplet.catalogEntry,
    ]

    public static var names: [String] { entries.map(\.name) }

    public static func entry(named name: String) throws -> MethodEntry {
        if let entry = entries.first(where: { $0.name == name }) { return entry }
        let suggestions = NameSuggestions.closest(to: name, among: names)
        let hint = suggestions.isEmpty ? "; known: " + names.joined(separator: ", ")
            : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
        throw DistillationError.invalidConfiguration("unknown distillation method '\(name)'\(hint)")
    }
}
