/// The option ranges of `SolverSettings`, checked in one place before any work, so that the
/// command line's flags and `compare`'s per-solver settings refuse the same values with the same
/// words (each setting is named by its command-line option). The methods keep their own checks for
/// callers that build them directly.
extension SolverSettings {
    public func validate() throws {
        func require(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw ProblemError.invalidOption(message()) }
        }
        try require(dimension >= 1, "dim must be ≥ 1, got \(dimension)")
        try require(maxIterations >= 0, "max-iterations must be ≥ 0, got \(maxIterations)")
        if let t = timeLimit { try require(t > 0 && t.isFinite, "time-limit must be a positive number of seconds, got \(t)") }
        try require(relativeTolerance >= 0 && gradientTolerance >= 0, "tolerance and gradient-tolerance must be ≥ 0")
        if case let .random(scale) = initialPoint { try require(scale > 0 && scale.isFinite, "init-scale must be positive, got \(scale)") }
        try require(learningRate > 0 && learningRate.isFinite, "learning-rate must be positive, got \(learningRate)")
        try require(lbfgsMemory >= 1, "memory must be ≥ 1, got \(lbfgsMemory)")
        try sampled.validate()
    }
}

extension SampledSettings {
    public func validate() throws {
        func require(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw ProblemError.invalidOption(message()) }
        }
        try require(epochs >= 1, "epochs must be ≥ 1, got \(epochs)")
        try pairs.validate()
        if let lr = learningRate { try require(lr > 0 && lr.isFinite, "sampled-learning-rate must be positive, got \(lr)") }
        try require(threads >= 1, "threads must be ≥ 1, got \(threads)")
        try require(negatives >= 1, "negatives must be ≥ 1, got \(negatives)")
        try require(noisePower >= 0 && noisePower.isFinite, "noise-power must be ≥ 0, got \(noisePower)")
        try require((0...SharedNegatives.maxBatch).contains(sharedNegatives),
                    "share-negatives must be 0 (off) … \(SharedNegatives.maxBatch), got \(sharedNegatives)")
        try require(sharedNegatives == 0 || !adam, "share-negatives trains with SGD; drop sampled-adam")
        try require(candidates >= 1, "candidates must be ≥ 1, got \(candidates)")
        try require(batchSize >= 2, "batch-size must be ≥ 2, got \(batchSize)")
        if case let .shifted(k) = inBatchNegatives {
            try require((1..<batchSize).contains(k), "in-batch-negatives must be 'full' or 1 ≤ NEG < batch-size, got \(k)")
        }
        if case let .streaming(rate) = correction { try require(rate > 0 && rate <= 1, "log-q streaming rate must be in (0, 1], got \(rate)") }
        try require(temperature > 0 && temperature.isFinite, "temperature must be positive, got \(temperature)")
    }
}
