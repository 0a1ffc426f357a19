/// Imputation's state is V (the imputed diagonal is diag(VVᵀ)) and its loss, both rebuilt from
/// the saved embedding by `makeState`; the random stream of the exact inner step is the run's,
/// which the driver saves.
extension AlternatingImputation: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {}
    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {}
}
