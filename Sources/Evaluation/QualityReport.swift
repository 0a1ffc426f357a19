import Foundation
import LinearAlgebra

/// One method's leave-one-out ranking quality, in a form reports and JSON files can carry.
public struct QualityReport: Sendable, Equatable, Codable {
    /// Which recommender was evaluated.
    public let method: String
    /// The cut-off K of HitRate@K and NDCG@K.
    public let k: Int
    /// Fraction of evaluated users whose held-out item ranked in the top K.
    public let hitRate: Double
    /// Mean of `1/log2(rank + 1)` over evaluated users (0 when rank > K). With one relevant
    /// item the ideal DCG is 1, so this is already normalised.
    public let ndcg: Double
    /// Users with a held-out item (the denominators of both means).
    public let usersEvaluated: Int

    public init(method: String, k: Int, hitRate: Double, ndcg: Double, usersEvaluated: Int) {
        self.method = method
        self.k = k
        self.hitRate = hitRate
        self.ndcg = ndcg
        self.usersEvaluated = usersEvaluated
    }

    /// Aggregates 1-based ranks of held-out items. Sums are compensated and taken in the given
    /// order, so equal ranks always give bit-identical reports. No ranks gives zero means.
    public init(method: String, k: Int, ranks: [Int]) {
        precondition(k >= 1, "K must be at least 1")
        precondition(ranks.allSatisfy { $0 >= 1 }, "ranks are 1-based")
        var hits = 0
        var gain = CompensatedSum()
        for r in ranks where r <= k {
            hits += 1
            gain.add(1 / log2(Double(r + 1)))
        }
        let n = ranks.count
        self.init(method: method, k: k,
                  hitRate: n == 0 ? 0 : Double(hits) / Double(n),
                  ndcg: n == 0 ? 0 : gain.value / Double(n),
                  usersEvaluated: n)
    }
}
