/// What every sampled method's state holds and its checkpoint keeps: the tables (vectors and Adam
/// moments), the method's random stream, the epoch (it sets the SGD learning-rate schedule) and
/// the last loss. Pairs and noise tables are rebuilt from the data on resume.
protocol SampledTrainingState {
    var tables: EmbeddingTables { get }
    var random: SeededGenerator { get set }
    var epoch: Int { get set }
    var loss: Double { get set }
}

extension SampledTrainingState {
    func saveTraining(into r: inout CheckpointRecord) {
        tables.save("tables", into: &r)
        random.save("random", into: &r)
        r.set("epoch", epoch)
        r.set("loss", loss)
    }

    mutating func restoreTraining(from r: CheckpointRecord) throws {
        try tables.restore("tables", from: r)
        random = try SeededGenerator.restore("random", from: r)
        epoch = try r.int("epoch")
        loss = try r.double("loss")
    }
}
