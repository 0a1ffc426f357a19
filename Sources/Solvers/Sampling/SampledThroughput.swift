#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import LinearAlgebra

/// Throughput of the sampled methods on a synthetic problem shaped like a real one, so the
/// inner loops can be measured without the data files.
public enum SampledThroughput {
    /// One method's speed over the measured epochs.
    public struct Measurement: Sendable {
        public var method: String
        /// Positive pairs per second (mean over epochs, training only; the masked-loss
        /// evaluation after each epoch is excluded).
        public var pairsPerSecond: Double
        /// Scored pairs (positives plus negatives or candidates, B² per batch for full in-batch)
        /// per second.
        public var scoredPairsPerSecond: Double
        public var pairsPerEpoch: Double
    }

    /// Interactions with a heavy-tailed user activity (log-normal, σ = 1.2) and Zipfian item
    /// popularity (exponent 0.9), sized like ml-latest-small's likes by default
    /// (610 users, 9724 items, about 48 580 likes).
    public static func syntheticInteractions(users: Int = 610, items: Int = 9724, likes: Int = 48_580,
                                             seed: UInt64 = 1) throws -> SparseMatrix {
        var rng = SeededGenerator(seed: seed)
        let activity = (0..<users).map { _ in exp(1.2 * rng.nextGaussian()) }
        let scale = Double(likes) / activity.reduce(0, +)
        let popularity = try AliasTable(weights: (0..<items).map { pow(Double($0) + 1, -0.9) })
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<users {
            let n = min(items / 2, max(1, Int((scale * activity[u]).rounded())))
            var chosen = Set<Int>()
            while chosen.count < n { chosen.insert(popularity.sample(&rng)) }
            for i in chosen { triplets.append((u, i, 1)) }
        }
        return try SparseMatrix(rows: users, columns: items, triplets: triplets)
    }

    /// Runs SGNS (per-pair SGD, shared negatives with B = 8, Adam), sampled softmax and in-batch
    /// negatives (full and shifted) with their defaults (apart from `threads` and `pairs`) for `epochs` epochs at dimension `dimension` and
    /// reports their rates. Build in release mode for meaningful numbers.
    public static func measure(_ s: SparseMatrix, dimension: Int = 300, epochs: Int = 2, threads: Int = 2,
                               pairs: PairSelection = .default, seed: UInt64 = 1) throws -> [Measurement] {
        let problem = try Problem(interactions: s)
        func run<M: SolverMethod>(_ method: M) throws -> Measurement {
            let result = try Driver.run(method, problem: problem, dimension: dimension, seed: seed,
                                        options: DriverOptions(maxIterations: epochs, relativeTolerance: 0))
            let steps = result.trace.dropFirst()
            let count = Double(max(1, steps.count))
            func mean(_ key: String) -> Double { steps.reduce(0) { $0 + ($1.extras[key] ?? 0) } / count }
            return Measurement(method: result.method + describe(method),
                               pairsPerSecond: mean("pairsPerSecond"), scoredPairsPerSecond: mean("scoredPairsPerSecond"),
                               pairsPerEpoch: mean("pairs"))
        }
        return [
            try run(SkipGramNegativeSampling(pairs: pairs, threads: threads, sharedNegatives: 0)),
            try run(SkipGramNegativeSampling(pairs: pairs, threads: threads, sharedNegatives: 8)),
            try run(SkipGramNegativeSampling(pairs: pairs, optimizer: .adam(), threads: threads)),
            try run(SampledSoftmax(pairs: pairs, threads: threads)),
            try run(InBatchNegatives(pairs: pairs)),
            try run(InBatchNegatives(negatives: .shifted(20), pairs: pairs)),
        ]
    }

    private static func describe<M: SolverMethod>(_ method: M) -> String {
        if let m = method as? SkipGramNegativeSampling {
            return (m.optimizer.isAdam ? "(Adam)" : "(SGD)") + (m.sharedNegatives > 0 ? "(shared negatives, B=\(m.sharedNegatives))" : "")
        }
        guard let m = method as? InBatchNegatives else { return "" }
        switch m.negatives {
        case .full: return "(full, B=\(m.batchSize))"
        case let .shifted(k): return "(shifted \(k), B=\(m.batchSize))"
        }
    }
}
