/// Tables, epoch, random stream, last loss, and the streaming frequency estimator (last
/// sighting and mean gap per item, batch counter).
extension InBatchNegatives: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        s.tables.save("tables", into: &r)
        s.random.save("random", into: &r)
        r.set("epoch", s.epoch)
        r.set("loss", s.loss)
        r.set("lastSeen", s.lastSeen)
        r.set("meanGap", s.meanGap)
        r.set("batchStep", s.batchStep)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        try s.tables.restore("tables", from: r)
        s.random = try SeededGenerator.restore("random", from: r)
        s.epoch = try r.int("epoch")
        s.loss = try r.double("loss")
        s.lastSeen = try r.ints("lastSeen", count: s.lastSeen.count)
        s.meanGap = try r.doubles("meanGap", count: s.meanGap.count)
        s.batchStep = try r.int("batchStep")
    }
}
