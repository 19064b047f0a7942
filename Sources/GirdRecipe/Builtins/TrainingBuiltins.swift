/// Training and distillation: `train`, `distill`, `resume`, the loss-term
/// constructors (`ce`, `kd`, ... `gird`), the functional losses and the
/// schedules. They come with the GirdDistill module; each is registered here
/// with a few lines, e.g.
///
///     Builtin("kd", "*, T: 4, weight: 1.0", doc: "Hinton's KD term (KL of softened logits, times T²)") { arguments in
///         .object(LossTermObject(...))
///     },
///
/// and a builtin that would train checks `arguments.context.isDryRun` first.
/// Runs and loss terms are `RecipeObject`s (type names `run`, `loss term`)
/// whose members are registered with `Builtin(method:of:...)` /
/// `Builtin(property:of:...)`.
extension BuiltinRegistry {
    static var trainingBuiltins: [Builtin] { [] }
}
