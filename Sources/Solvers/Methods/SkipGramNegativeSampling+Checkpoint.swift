/// The tables (vectors and Adam moments), the epoch (which sets the SGD learning-rate schedule),
/// the method's random stream and the last loss; pairs and noise tables are rebuilt from the data.
extension SkipGramNegativeSampling: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        s.saveTraining(into: &r)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        try s.restoreTraining(from: r)
    }
}

extension SkipGramNegativeSampling.State: SampledTrainingState {}
