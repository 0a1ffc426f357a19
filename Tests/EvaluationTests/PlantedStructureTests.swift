import Testing
import LinearAlgebra
import TestSupport
@testable import Evaluation

/// Two item clusters; every user likes only items of one cluster, and cluster A has more users
/// (so popularity pushes A items to B users). An embedding that knows the clusters must beat
/// popularity, and EASE, which learns them from co-occurrence, must too.
@Suite struct PlantedStructureTests {
    static let clusterSize = 20
    static let items = 2 * clusterSize

    static let s: SparseMatrix = {
        var rng = SplitMix64(seed: 314)
        var likes: [[Int]] = []
        for u in 0..<200 {
            let cluster = u < 120 ? 0 : 1
            let count = 6 + Int(rng.next(below: 5))
            var chosen = Set<Int>()
            while chosen.count < count { chosen.insert(cluster * clusterSize + Int(rng.next(below: UInt64(clusterSize)))) }
            likes.append(chosen.sorted())
        }
        return interactions(items: items, likes: likes)
    }()

    static let clusterEmbedding = Matrix(rows: items, columns: 2) { i, d in i / clusterSize == d ? 1 : 0 }

    @Test func clusterEmbeddingBeatsPopularity() throws {
        let split = HoldoutSplit(interactions: Self.s, seed: 8)
        let pop = try RankingEvaluation.evaluate(Popularity(training: split.training), split: split)
        for similarity in Similarity.allCases {
            let emb = try RankingEvaluation.evaluate(
                try EmbeddingRecommender(embedding: Self.clusterEmbedding, similarity: similarity), split: split)
            #expect(emb.usersEvaluated == 200 && pop.usersEvaluated == 200)
            #expect(emb.hitRate > pop.hitRate + 0.2, "\(emb) vs \(pop)")
            #expect(emb.ndcg > pop.ndcg)
        }
    }

    @Test func easeBeatsPopularity() throws {
        let split = HoldoutSplit(interactions: Self.s, seed: 8)
        let pop = try RankingEvaluation.evaluate(Popularity(training: split.training), split: split)
        let ease = try RankingEvaluation.evaluate(try EASE(training: split.training, lambda: 10), split: split)
        #expect(ease.hitRate > pop.hitRate, "\(ease) vs \(pop)")
    }
}
