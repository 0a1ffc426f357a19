import LinearAlgebra

extension SolverSettings {
    /// Refuses settings whose buffers cannot fit in memory, before any work: an allocation that
    /// fails aborts the process ("Fatal error: failed to allocate …"), which is no way to learn
    /// that `--memory 100000000` or an in-batch `--batch-size 1000000` is too large.
    ///
    /// Estimates count the M × D (and larger) buffers each method keeps alive; small per-item
    /// vectors are covered by the 25 % margin.
    public func checkMemory(for kind: SolverKind, problem: Problem) throws(MemoryLimit.Exceeded) {
        let m = Double(problem.itemCount), d = Double(dimension)
        let block = 8 * m * d // one M × D matrix of doubles
        var users = 0.0, likes = 0.0
        if case let .interactions(s) = problem.source { users = Double(s.rows); likes = Double(s.nonzeroCount) }
        // The loss's workspace: VᵀV, XV and, for X = SᵀS, SV (users × D).
        let objective = 8 * d * d + block + 8 * users * d
        func check(_ bytes: Double, _ what: String) throws(MemoryLimit.Exceeded) {
            try MemoryLimit.check(1.25 * (bytes + objective), for: what)
        }
        let dim = "\(kind.rawValue) at --dim \(dimension) (M = \(problem.itemCount))"
        switch kind {
        case .eigen:
            // Lanczos basis of up to 2D + 1 vectors (ARPACK) or the dense eigensolver's M × M copy.
            try check(max(block * 3, 8 * (2 * d + 1) * m), dim)
        case .impute:
            try check(block * 6, dim)
        case .gd:
            try check(block * 5, dim)
        case .adam:
            try check(block * 6, dim)
        case .lbfgs:
            let pairs = 2 * Double(lbfgsMemory) * block + 8 * 4 * Double(lbfgsMemory) * Double(lbfgsMemory)
            try check(block * 6 + pairs, "L-BFGS history of --memory \(lbfgsMemory) pairs, \(dim)")
        case .sgns, .sampledSoftmax:
            // Input and output tables (and Adam's moments), per-thread scratch.
            try check(block * (sampled.adam ? 6 : 3) + 8 * Double(sampled.threads) * d * Double(max(sampled.negatives, sampled.candidates) + 2),
                      dim)
        case .inBatch:
            // The epoch's pairs are held for the shuffle: two Int32 and one Int index per pair.
            let pairs: Double
            switch sampled.pairs(for: kind) {
            case .all:
                var total = 0.0
                if case let .interactions(s) = problem.source {
                    for u in 0..<s.rows { let n = Double(s.rowPointers[u + 1] - s.rowPointers[u]); total += n * (n - 1) }
                }
                pairs = total
            case let .sampled(perLike): pairs = perLike * likes
            }
            try check(block * 6 + 16 * pairs, "in-batch epoch of \(pairs.formatted0) positive pairs (--pairs), \(dim)")
            let b = Double(sampled.batchSize)
            try check(block * 6 + 8 * b * b + 8 * 8 * b * d, "in-batch --batch-size \(sampled.batchSize) (a B × B logit matrix), \(dim)")
        }
    }
}

private extension Double {
    var formatted0: String { self < 1e15 ? String(Int(self)) : "\(self)" }
}
