/// As for SGNS: tables (with the output biases), epoch, random stream and last loss.
extension SampledSoftmax: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        s.tables.save("tables", into: &r)
        s.random.save("random", into: &r)
        r.set("epoch", s.epoch)
        r.set("loss", s.loss)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        try s.tables.restore("tables", from: r)
        s.random = try SeededGenerator.restore("random", from: r)
        s.epoch = try r.int("epoch")
        s.loss = try r.double("loss")
    }
}
