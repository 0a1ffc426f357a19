import Testing
import Foundation
import LinearAlgebra
@testable import Solvers

/// One shared-negative batch through `SharedNegatives.step` on arrays: the loss, the gradient
/// with respect to the gathered output rows, and the inputs after an SGD step of `rate`.
func sharedBatch(inputs: [Double], outputs: [Double], b: Int, t: Int, d: Int, rate: Double, skip: Int = -1)
    -> (loss: Double, outputGrad: [Double], inputsAfter: [Double]) {
    var x = inputs, g = [Double](repeating: 0, count: t * d), z = [Double](repeating: 0, count: b * t)
    let loss = x.withUnsafeMutableBufferPointer { xp in outputs.withUnsafeBufferPointer { op in
        z.withUnsafeMutableBufferPointer { zp in g.withUnsafeMutableBufferPointer { gp in
            SharedNegatives.step(inputs: xp.baseAddress!, contexts: b, skip: skip, outputs: op.baseAddress!, targets: t,
                                 z: zp.baseAddress!, outputGrad: gp.baseAddress!, rate: rate, dimension: d)
        }}
    }}
    return (loss, g, x)
}

@Suite struct SampledSharedNegativesTests {
    static func logSigmoid(_ x: Double) -> Double { x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)) }

    /// Σ_c [−log σ(u₀ᵀv_c) − Σ_{k≥1} log σ(−u_kᵀv_c)] from the definition.
    static func directLoss(_ v: [Double], _ u: [Double], b: Int, t: Int, d: Int) -> Double {
        var total = 0.0
        for c in 0..<b {
            for o in 0..<t {
                let s = (0..<d).reduce(0.0) { $0 + v[c * d + $1] * u[o * d + $1] }
                total -= o == 0 ? logSigmoid(s) : logSigmoid(-s)
            }
        }
        return total
    }

    @Test func batchLossAndGradientsMatchDefinitionAndFiniteDifferences() {
        // 3 contexts, the positive and 3 negatives (rows 1 and 3 the same item drawn twice: equal
        // values), d = 5 so nothing is a multiple of a SIMD width.
        let (b, t, d) = (3, 4, 5)
        let v = randomArray(b * d, scale: 0.8, seed: 31)
        var u = randomArray(t * d, scale: 0.8, seed: 32)
        for k in 0..<d { u[3 * d + k] = u[1 * d + k] }
        let r = sharedBatch(inputs: v, outputs: u, b: b, t: t, d: d, rate: 1)
        let direct = Self.directLoss(v, u, b: b, t: t, d: d)
        #expect(abs(r.loss - direct) < 1e-12 * max(1, abs(direct)))
        // rate 1: inputs − inputsAfter is the gradient with respect to the inputs.
        let gIn = zip(v, r.inputsAfter).map { $0 - $1 }
        let fIn = { (x: [Double]) in sharedBatch(inputs: x, outputs: u, b: b, t: t, d: d, rate: 0).loss }
        let fOut = { (x: [Double]) in sharedBatch(inputs: v, outputs: x, b: b, t: t, d: d, rate: 0).loss }
        #expect(finiteDifferenceError(v, analytic: gIn, fIn) < 1e-7)
        #expect(finiteDifferenceError(u, analytic: r.outputGrad, fOut) < 1e-7)
        // rate 0 leaves the inputs alone; another rate scales the step.
        #expect(sharedBatch(inputs: v, outputs: u, b: b, t: t, d: d, rate: 0).inputsAfter == v)
        let half = sharedBatch(inputs: v, outputs: u, b: b, t: t, d: d, rate: 0.5).inputsAfter
        for k in 0..<(b * d) { #expect(abs(half[k] - (v[k] - 0.5 * gIn[k])) < 1e-14) }
    }

    /// The in-place form: a masked row (the target's own) is neither a context nor changed, and
    /// the rest equals the batch without it.
    @Test func maskedRowIsLeftOutOfTheBatch() {
        let (b, t, d) = (4, 3, 6)
        let v = randomArray(b * d, scale: 0.8, seed: 41), u = randomArray(t * d, scale: 0.8, seed: 42)
        let skip = 2
        let masked = sharedBatch(inputs: v, outputs: u, b: b, t: t, d: d, rate: 0.3, skip: skip)
        let rest = Array(v[0..<(skip * d)] + v[((skip + 1) * d)...])
        let plain = sharedBatch(inputs: rest, outputs: u, b: b - 1, t: t, d: d, rate: 0.3)
        #expect(abs(masked.loss - plain.loss) < 1e-13)
        #expect(Array(masked.inputsAfter[(skip * d)..<((skip + 1) * d)]) == Array(v[(skip * d)..<((skip + 1) * d)]))
        let after = Array(masked.inputsAfter[0..<(skip * d)] + masked.inputsAfter[((skip + 1) * d)...])
        for k in 0..<after.count { #expect(abs(after[k] - plain.inputsAfter[k]) < 1e-14) }
        for k in 0..<(t * d) { #expect(abs(masked.outputGrad[k] - plain.outputGrad[k]) < 1e-14) }
    }

    @Test func coefficientsStayExactForExtremeScores() {
        // Scores far beyond exp's range and many terms: no underflow of the product, exact loss.
        let rows: [[Double]] = [[-800, 900, 35, -2, 0.5], [40, -40, 1e-3, 700, -700], [0, 0, 0, 0, 0]]
        let t = rows[0].count
        var z = rows.flatMap { $0 }
        let loss = z.withUnsafeMutableBufferPointer { SharedNegatives.coefficients($0.baseAddress!, rows: rows.count, columns: t) }
        var direct = 0.0
        for (r, s) in rows.enumerated() {
            for c in 0..<t {
                direct -= c == 0 ? Self.logSigmoid(s[c]) : Self.logSigmoid(-s[c])
                let expected = c == 0 ? -1 / (1 + exp(s[c])) : 1 / (1 + exp(-s[c]))
                #expect(abs(z[r * t + c] - expected) < 1e-15)
            }
        }
        #expect(abs(loss - direct) < 1e-12 * abs(direct))
        #expect(loss.isFinite)
    }

    static func run(_ method: SkipGramNegativeSampling, epochs: Int, seed: UInt64 = 1) throws -> SolverResult {
        try SampledTrainingTests.run(method, epochs: epochs, seed: seed)
    }

    @Test(arguments: [PairSelection.all, .sampled(perLike: 4)])
    func oneThreadIsBitReproducibleAndSeedDependent(pairs: PairSelection) throws {
        let method = SkipGramNegativeSampling(pairs: pairs, threads: 1, sharedNegatives: 4)
        let a = try Self.run(method, epochs: 3, seed: 42), b = try Self.run(method, epochs: 3, seed: 42)
        let c = try Self.run(method, epochs: 3, seed: 43)
        #expect(a.embedding.storage == b.embedding.storage)
        #expect(a.trace.map(\.loss) == b.trace.map(\.loss))
        #expect(a.trace.map { $0.extras["sampledLoss"] } == b.trace.map { $0.extras["sampledLoss"] })
        #expect(a.embedding.storage != c.embedding.storage)
        // Not the per-pair mode under another name.
        let perPair = try Self.run(SkipGramNegativeSampling(pairs: pairs, threads: 1, sharedNegatives: 0), epochs: 3, seed: 42)
        #expect(a.embedding.storage != perPair.embedding.storage)
    }

    @Test func epochsVisitTheSamePositivePairsAsThePerPairMode() throws {
        let s = SampledTrainingTests.s
        // Batch 4 < n − 1 for most users (6–7 likes each): the contexts are split.
        let all = try Self.run(SkipGramNegativeSampling(pairs: .all, threads: 2, sharedNegatives: 4), epochs: 1)
        let expected = s.rowCounts.reduce(0) { $0 + $1 * ($1 - 1) }
        #expect(all.trace[1].extras["pairs"] == Double(expected))
        let scored = try #require(all.trace[1].extras["scoredPairs"])
        #expect(scored > 5.5 * Double(expected) && scored <= 6 * Double(expected)) // 1 + K, K = 5 less rare hits
        let sampled = try Self.run(SkipGramNegativeSampling(pairs: .sampled(perLike: 4), threads: 1, sharedNegatives: 64), epochs: 1)
        let pairs = try #require(sampled.trace[1].extras["pairs"])
        #expect(abs(pairs - 4 * Double(s.nonzeroCount)) <= Double(s.rows))
    }

    /// Learns the planted communities, and as well as the per-pair mode with the same settings
    /// (gap = mean within-cluster cosine − mean between-cluster cosine).
    @Test(arguments: [(PairSelection.all, 1), (.all, 2), (.default, 1), (.default, 2)])
    func learnsPlantedClustersAsWellAsPerPairUpdates(pairs: PairSelection, threads: Int) throws {
        // word2vec's noise and input table, where the per-pair mode is the reference.
        let word2vec = with(SkipGramNegativeSampling(preset: .word2vec)) { $0.pairs = pairs; $0.threads = threads }
        let shared = try Self.run(with(word2vec) { $0.sharedNegatives = 64 }, epochs: 10)
        let perPair = try Self.run(word2vec, epochs: 10)
        let (w, b) = clusterCosines(shared.embedding, size: 15)
        let (w0, b0) = clusterCosines(perPair.embedding, size: 15)
        #expect(w > b + 0.3, "shared: within \(w), between \(b)")
        #expect(w - b >= 0.9 * (w0 - b0), "shared gap \(w - b) vs per-pair \(w0 - b0)")
        #expect(shared.embedding.isFinite)
        #expect(shared.trace.last!.extras["sampledLoss"]! < shared.trace[1].extras["sampledLoss"]!)
    }

    @Test func invalidSharingOptionsAreRejected() throws {
        let p = try Problem(interactions: SampledTrainingTests.s)
        #expect(throws: ProblemError.self) {
            try Driver.run(SkipGramNegativeSampling(optimizer: .adam(), sharedNegatives: 8), problem: p, dimension: 2)
        }
        #expect(throws: ProblemError.self) { try Driver.run(SkipGramNegativeSampling(sharedNegatives: -1), problem: p, dimension: 2) }
        #expect(throws: ProblemError.self) { try Driver.run(SkipGramNegativeSampling(sharedNegatives: 5000), problem: p, dimension: 2) }
    }
}
