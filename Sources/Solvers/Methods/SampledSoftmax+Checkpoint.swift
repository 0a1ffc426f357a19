/// As for SGNS: tables (with the output biases), epoch, random stream and last loss.
extension SampledSoftmax: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        s.saveTraining(into: &r)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        try s.restoreTraining(from: r)
    }
}

extension SampledSoftmax.State: SampledTrainingState {}
