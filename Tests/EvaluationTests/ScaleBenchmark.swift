import Foundation
import Testing
import LinearAlgebra
import TestSupport
import Evaluation

/// Timings at ml-latest-small scale (610 users × 9 724 items, ≈ 48k likes, D = 300). Runs only
/// with `COEMBED_EVAL_BENCH=1` (it needs ~1.5 GB and tens of seconds); build in release:
/// `COEMBED_EVAL_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter ScaleBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["COEMBED_EVAL_BENCH"] == "1"))
struct ScaleBenchmark {
    @Test func mlLatestSmallScale() throws {
        let users = 610, items = 9724
        var rng = SplitMix64(seed: 1)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        // Zipf-like item popularity and a heavy-tailed number of likes per user.
        let weights = (0..<items).map { 1 / pow(Double($0 + 1), 0.9) }
        var cumulative = [Double](repeating: 0, count: items)
        var acc = 0.0
        for i in 0..<items { acc += weights[i]; cumulative[i] = acc }
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<users {
            let n = min(2000, max(2, Int(exp(3.75 + 1.2 * (uniform() + uniform() + uniform() - 1.5) * 2))))
            var chosen = Set<Int>()
            while chosen.count < n {
                let x = uniform() * acc
                var lo = 0, hi = items - 1
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < x { lo = mid + 1 } else { hi = mid } }
                chosen.insert(lo)
            }
            for i in chosen { triplets.append((u, i, 1)) }
        }
        let s = try SparseMatrix(rows: users, columns: items, triplets: triplets)
        let split = HoldoutSplit(interactions: s, seed: 42)
        print("S: \(users) × \(items), \(s.nonzeroCount) likes, Σ n_u² = \(s.rowCounts.reduce(0) { $0 + $1 * $1 }), \(split.heldOut.count) held out; BLAS threads \(BLAS.threadCount)")

        func time<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
            let start = Date()
            let result = try body()
            print(String(format: "%@: %.3f s", label, Date().timeIntervalSince(start)))
            return result
        }
        let pop = time("popularity fit") { Popularity(training: split.training) }
        let popReport = try time("popularity evaluate") { try RankingEvaluation.evaluate(pop, split: split) }
        var v = Matrix(rows: items, columns: 300)
        for k in v.storage.indices { v.storage[k] = uniform() - 0.5 }
        for similarity in Similarity.allCases {
            let model = try time("embedding fit (\(similarity))") { try EmbeddingRecommender(embedding: v, similarity: similarity) }
            let report = try time("embedding evaluate (\(similarity))") { try RankingEvaluation.evaluate(model, split: split) }
            print(report)
        }
        let ease = try time("EASE fit (λ = 200)") { try EASE(training: split.training) }
        let easeReport = try time("EASE evaluate") { try RankingEvaluation.evaluate(ease, split: split) }
        print(popReport)
        print(easeReport)
    }
}
