/// V, ∇L and L are rebuilt from the saved embedding by `makeState` (the same evaluation the
/// run made there); the adaptive step is the only other state.
extension GradientDescent: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        r.set("step", s.step)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        s.step = try r.double("step")
    }
}
