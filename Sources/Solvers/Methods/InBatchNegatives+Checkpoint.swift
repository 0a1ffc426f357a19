/// Tables, epoch, random stream, last loss, and the streaming frequency estimator (last
/// sighting and mean gap per item, batch counter).
extension InBatchNegatives: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        s.saveTraining(into: &r)
        r.set("lastSeen", s.lastSeen)
        r.set("meanGap", s.meanGap)
        r.set("batchStep", s.batchStep)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        try s.restoreTraining(from: r)
        s.lastSeen = try r.ints("lastSeen", count: s.lastSeen.count)
        s.meanGap = try r.doubles("meanGap", count: s.meanGap.count)
        s.batchStep = try r.int("batchStep")
    }
}

extension InBatchNegatives.State: SampledTrainingState {}
