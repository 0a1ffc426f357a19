import Testing
import Foundation
import LinearAlgebra
import TestSupport
@testable import Solvers

/// Two planted communities: users of cluster c like `perUser` items of cluster c's `size` items
/// and, with probability `noise`, one item of the other cluster.
func plantedClusters(users: Int = 240, size: Int = 15, perUser: Int = 6, noise: Double = 0.1, seed: UInt64 = 3) -> SparseMatrix {
    var rng = SeededGenerator(seed: seed)
    var triplets: [(row: Int, column: Int, value: Double)] = []
    for u in 0..<users {
        let cluster = u % 2
        var chosen = Set<Int>()
        while chosen.count < perUser { chosen.insert(cluster * size + RowKernels.uniformInt(size, &rng)) }
        if rng.nextUniform() < noise { chosen.insert((1 - cluster) * size + RowKernels.uniformInt(size, &rng)) }
        for i in chosen { triplets.append((u, i, 1)) }
    }
    return try! SparseMatrix(rows: users, columns: 2 * size, triplets: triplets)
}

/// `method` with `change` applied: a preset (`init(preset: .word2vec)`) with a few fields set.
func with<M>(_ method: M, _ change: (inout M) -> Void) -> M {
    var changed = method
    change(&changed)
    return changed
}

/// Mean cosine similarity of distinct item pairs within a cluster and between clusters.
func clusterCosines(_ v: Matrix, size: Int) -> (within: Double, between: Double) {
    let m = v.rows
    let rows = (0..<m).map { i -> [Double] in
        let r = v.row(i), n = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return r.map { $0 / max(n, 1e-300) }
    }
    var w = 0.0, b = 0.0, nw = 0, nb = 0
    for i in 0..<m {
        for j in 0..<m where j != i {
            let c = zip(rows[i], rows[j]).reduce(0) { $0 + $1.0 * $1.1 }
            if i / size == j / size { w += c; nw += 1 } else { b += c; nb += 1 }
        }
    }
    return (w / Double(nw), b / Double(nb))
}

@Suite struct SampledTrainingTests {
    static let s = plantedClusters()

    static func run<M: SolverMethod>(_ method: M, dimension: Int = 8, epochs: Int, seed: UInt64 = 1) throws -> SolverResult {
        try Driver.run(method, problem: try Problem(interactions: s), dimension: dimension, seed: seed,
                       options: DriverOptions(maxIterations: epochs, relativeTolerance: 0))
    }

    @Test func sgnsWithOneThreadIsBitReproducibleAndSeedDependent() throws {
        for optimizer in [SampledOptimizer.sgd(), .adam()] {
            // word2vec's per-pair updates, with SGD and with Adam (the default's sharing: SampledSharedNegativesTests).
            let method = with(SkipGramNegativeSampling(preset: .word2vec)) { $0.optimizer = optimizer; $0.threads = 1 }
            let a = try Self.run(method, epochs: 3, seed: 42), b = try Self.run(method, epochs: 3, seed: 42)
            let c = try Self.run(method, epochs: 3, seed: 43)
            #expect(a.embedding.storage == b.embedding.storage)
            #expect(a.trace.map(\.loss) == b.trace.map(\.loss))
            #expect(a.embedding.storage != c.embedding.storage)
        }
        let ss = SampledSoftmax(threads: 1)
        #expect(try Self.run(ss, epochs: 2, seed: 5).embedding == (try Self.run(ss, epochs: 2, seed: 5).embedding))
        let ib = InBatchNegatives(batchSize: 32)
        #expect(try Self.run(ib, epochs: 2, seed: 5).embedding == (try Self.run(ib, epochs: 2, seed: 5).embedding))
    }

    @Test func traceReportsTheMaskedLossAndSampledExtras() throws {
        let problem = try Problem(interactions: Self.s)
        let result = try Self.run(SkipGramNegativeSampling(pairs: .sampled(perLike: 4)), epochs: 3)
        let masked = try MaskedLoss(problem: problem, dimension: 8).loss(result.embedding)
        #expect(relativeError(result.finalLoss, masked) < 1e-12)
        #expect(result.iterations == 3 && result.termination == .maxIterations)
        let last = try #require(result.trace.last)
        let pairs = try #require(last.extras["pairs"])
        // 4 pairs per like, stochastic rounding per user: within a few of the target.
        #expect(abs(pairs - 4 * Double(Self.s.nonzeroCount)) <= Double(Self.s.rows))
        #expect(try #require(last.extras["scoredPairs"]) > 5 * pairs) // 1 positive + ≈5 negatives
        #expect(try #require(last.extras["pairsPerSecond"]) > 0)
        #expect(try #require(last.extras["sampledLoss"]) > 0)
        // The sampled objective falls over the epochs.
        #expect(last.extras["sampledLoss"]! < result.trace[1].extras["sampledLoss"]!)
    }

    @Test func allPairsEpochVisitsEveryOrderedPairOnce() throws {
        let result = try Self.run(SkipGramNegativeSampling(pairs: .all, threads: 2, sharedNegatives: 0), epochs: 1)
        let expected = Self.s.rowCounts.reduce(0) { $0 + $1 * ($1 - 1) }
        #expect(result.trace[1].extras["pairs"] == Double(expected))
    }

    /// The word2vec preset's variants and each method's defaults (`-defaults`).
    @Test(arguments: ["sgns", "sgns-adam", "sgns-2threads", "sgns-defaults", "sampled-softmax", "sampled-softmax-unigram",
                      "sampled-softmax-no-bias", "sampled-softmax-defaults", "in-batch", "in-batch-shifted-streaming", "in-batch-defaults"])
    func plantedClustersAreSeparated(variant: String) throws {
        let result: SolverResult
        let sgns = SkipGramNegativeSampling(preset: .word2vec), softmax = SampledSoftmax(preset: .word2vec)
        switch variant {
        case "sgns": result = try Self.run(with(sgns) { $0.threads = 1 }, epochs: 10)
        case "sgns-adam": result = try Self.run(with(sgns) { $0.optimizer = .adam(learningRate: 0.01); $0.threads = 1 }, epochs: 10)
        case "sgns-2threads": result = try Self.run(with(sgns) { $0.output = .average }, epochs: 10)
        case "sgns-defaults": result = try Self.run(SkipGramNegativeSampling(threads: 1), epochs: 10)
        case "sampled-softmax": result = try Self.run(with(softmax) { $0.candidates = 10; $0.threads = 1 }, epochs: 10)
        case "sampled-softmax-no-bias":
            result = try Self.run(with(softmax) { $0.candidates = 10; $0.output = .average; $0.threads = 1; $0.outputBias = false }, epochs: 10)
            #expect(result.extras["outputBias"] == nil)
        case "sampled-softmax-unigram":
            result = try Self.run(with(softmax) { $0.candidates = 10; $0.sampler = .unigram; $0.unique = false; $0.optimizer = .adam(learningRate: 0.01) },
                                  epochs: 10)
        // 10 pairs per like: at the default 30 the sampled loss of this toy has flattened after the first epoch.
        case "sampled-softmax-defaults": result = try Self.run(SampledSoftmax(candidates: 10, pairs: .sampled(perLike: 10), threads: 1), epochs: 10)
        // τ = 0.2 (the default) here: at 0.05 the softmax saturates on this 30-item toy once the
        // query has a modest component along its cluster's direction, and the input vectors keep
        // most of their random start (within 0.05 vs between −0.08 after 10 epochs).
        case "in-batch":
            result = try Self.run(InBatchNegatives(batchSize: 64, temperature: 0.2, normalize: true, output: .input), epochs: 10)
        case "in-batch-defaults": result = try Self.run(InBatchNegatives(batchSize: 64), epochs: 10)
        default:
            result = try Self.run(InBatchNegatives(batchSize: 64, negatives: .shifted(8), correction: .streaming(rate: 0.05),
                                                   temperature: 0.05, normalize: true, output: .average), epochs: 10)
        }
        let (within, between) = clusterCosines(result.embedding, size: 15)
        #expect(within > between + 0.3, "\(variant): within \(within), between \(between)")
        #expect(result.embedding.isFinite)
        // Sampled loss decreased from the first to the last epoch.
        #expect(result.trace.last!.extras["sampledLoss"]! < result.trace[1].extras["sampledLoss"]!, "\(variant)")
    }

    @Test func invalidOptionsAndExplicitProblemsAreRejected() throws {
        let dense = try Problem(dense: Matrix.identity(4))
        #expect(throws: ProblemError.self) { try Driver.run(SkipGramNegativeSampling(), problem: dense, dimension: 2) }
        let p = try Problem(interactions: Self.s)
        #expect(throws: ProblemError.self) { try Driver.run(SkipGramNegativeSampling(negatives: 0), problem: p, dimension: 2) }
        #expect(throws: ProblemError.self) { try Driver.run(SampledSoftmax(candidates: 30), problem: p, dimension: 2) }
        #expect(throws: ProblemError.self) { try Driver.run(InBatchNegatives(normalize: true, initialization: .word2vec), problem: p, dimension: 2) }
        #expect(throws: ProblemError.self) { try Driver.run(InBatchNegatives(batchSize: 8, negatives: .shifted(8)), problem: p, dimension: 2) }
        #expect(throws: ProblemError.self) { try Driver.run(SkipGramNegativeSampling(pairs: .sampled(perLike: 0)), problem: p, dimension: 2) }
    }
}
