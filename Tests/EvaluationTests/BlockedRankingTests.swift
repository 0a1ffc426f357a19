import Testing
import LinearAlgebra
import TestSupport
@testable import Evaluation

@Suite struct BlockedRankingTests {
    /// Panels and user blocks that do not divide M or the user count, both similarities, several
    /// K: the capped ranks and the reports equal the full scorer's.
    @Test func blockedScorerEqualsTheFullScorer() throws {
        let s = RandomProblems.binarySparse(rows: 90, columns: 130, density: 0.08, seed: 4)
        let split = HoldoutSplit(interactions: s, seed: 2)
        let v = RandomProblems.signedMatrix(rows: 130, columns: 6, seed: 8)
        for similarity in Similarity.allCases {
            let recommender = try EmbeddingRecommender(embedding: v, similarity: similarity)
            let full = try RankingEvaluation.heldOutRanks(recommender, training: split.training, heldOut: split.heldOut)
            for (k, panel, block) in [(1, 7, 3), (10, 64, 5), (25, 130, 100), (10, 1000, 1)] {
                let blocked = try BlockedRanking.cappedRanks(recommender, training: split.training, heldOut: split.heldOut, k: k,
                                                             userBlockSize: block, itemPanelSize: panel)
                #expect(blocked == full.map { min($0, k + 1) })
                let a = try BlockedRanking.evaluate(recommender, training: split.training, heldOut: split.heldOut, k: k,
                                                    userBlockSize: block, itemPanelSize: panel)
                let b = try RankingEvaluation.evaluate(recommender, split: split, k: k)
                #expect(a == b)
            }
        }
    }

    /// Ties go to the lower index, as in the full scorer: an embedding with many equal rows.
    @Test func tiesFollowTheRankingRule() throws {
        let s = RandomProblems.binarySparse(rows: 40, columns: 50, density: 0.1, seed: 6)
        let split = HoldoutSplit(interactions: s, seed: 1)
        let v = Matrix(rows: 50, columns: 2) { i, j in Double((i % 3) + j) }
        let recommender = try EmbeddingRecommender(embedding: v)
        let full = try RankingEvaluation.heldOutRanks(recommender, training: split.training, heldOut: split.heldOut)
        let blocked = try BlockedRanking.cappedRanks(recommender, training: split.training, heldOut: split.heldOut, k: 20,
                                                     userBlockSize: 7, itemPanelSize: 9)
        #expect(blocked == full.map { min($0, 21) })
    }

    @Test func sampleIsSeededOrderedAndComplete() {
        let pairs = (0..<100).map { HeldOutPair(user: $0, item: $0 % 7) }
        let a = BlockedRanking.sample(pairs, count: 30, seed: 5)
        #expect(a == BlockedRanking.sample(pairs, count: 30, seed: 5))
        #expect(a != BlockedRanking.sample(pairs, count: 30, seed: 6))
        #expect(a.count == 30 && Set(a).count == 30 && Set(a).isSubset(of: Set(pairs)))
        #expect(a.map(\.user) == a.map(\.user).sorted())
        #expect(BlockedRanking.sample(pairs, count: 200, seed: 5) == pairs)
    }

    @Test func easeRefusesAnInverseThatDoesNotFit() {
        let s = RandomProblems.binarySparse(rows: 20, columns: 30, density: 0.2, seed: 3)
        do {
            _ = try EASE(training: s, budget: MemoryBudget(bytes: 8 * 30 * 30 - 1))
            Issue.record("EASE ran past its budget")
        } catch let error as EvaluationError {
            #expect(error.description.contains("30 × 30 inverse"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect((try? EASE(training: s, budget: MemoryBudget(bytes: 8 * 30 * 30))) != nil)
    }
}
