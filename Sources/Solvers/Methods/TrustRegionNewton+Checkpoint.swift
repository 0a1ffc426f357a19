/// V, ∇L, L and the curvature at V are rebuilt from the saved embedding by `makeState`; the
/// trust-region radius and the forcing sequence's scale ‖∇L₀‖ are the rest of the state.
extension TrustRegionNewton: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        r.set("radius", s.radius)
        r.set("initialGradientNorm", s.initialGradientNorm)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        s.radius = try r.double("radius")
        s.initialGradientNorm = try r.double("initialGradientNorm")
    }
}
