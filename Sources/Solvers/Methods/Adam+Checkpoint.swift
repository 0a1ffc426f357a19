/// The moments, the step count and the scheduled rate; V, ∇L and L are rebuilt from the saved
/// embedding by `makeState`.
extension Adam: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        r.set("m", s.m.storage)
        r.set("s", s.s.storage)
        r.set("t", s.t)
        r.set("rate", s.rate)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        s.m.storage = try r.doubles("m", count: s.v.count)
        s.s.storage = try r.doubles("s", count: s.v.count)
        s.t = try r.int("t")
        s.rate = try r.double("rate")
    }
}
