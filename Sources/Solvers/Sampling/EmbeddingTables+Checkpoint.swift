/// Checkpointing of the sampled methods' trainable tables (vectors, biases, Adam moments and
/// per-row step counts).
extension EmbeddingTables {
    private var doubleBuffers: [(String, SharedBuffer<Double>?)] {
        [("input", input), ("output", output), ("bias", bias), ("inputM", inputM), ("inputV", inputV),
         ("outputM", outputM), ("outputV", outputV), ("biasM", biasM), ("biasV", biasV)]
    }

    private var stepBuffers: [(String, SharedBuffer<Int>?)] { [("inputSteps", inputSteps), ("outputSteps", outputSteps)] }

    func save(_ key: String, into r: inout CheckpointRecord) {
        for (name, buffer) in doubleBuffers { if let buffer { r.set("\(key).\(name)", buffer.array) } }
        for (name, buffer) in stepBuffers { if let buffer { r.set("\(key).\(name)", buffer.array) } }
    }

    /// Overwrites the tables (made by the same method settings, so the same buffers exist).
    func restore(_ key: String, from r: CheckpointRecord) throws {
        for (name, buffer) in doubleBuffers {
            guard let buffer else { continue }
            let values = try r.doubles("\(key).\(name)", count: buffer.count)
            values.withUnsafeBufferPointer { buffer.pointer.update(from: $0.baseAddress!, count: buffer.count) }
        }
        for (name, buffer) in stepBuffers {
            guard let buffer else { continue }
            let values = try r.ints("\(key).\(name)", count: buffer.count)
            values.withUnsafeBufferPointer { buffer.pointer.update(from: $0.baseAddress!, count: buffer.count) }
        }
    }
}
