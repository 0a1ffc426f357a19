import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import Evaluation

/// A recommender whose scores are a fixed users × items table, to test ranking in isolation.
struct FixedScores: Recommender {
    let name = "fixed"
    let table: [[Double]]
    var itemCount: Int { table[0].count }
    func scores(for users: [Int], history: SparseMatrix) -> Matrix {
        Matrix(rows: itemCount, columns: users.count) { c, b in table[users[b]][c] }
    }
}

@Suite struct MetricsTests {
    @Test func knownRanksGiveKnownHitRateAndNDCG() throws {
        // 3 users, 5 items; no training likes, so every item is a candidate.
        let table: [[Double]] = [
            [0.1, 0.9, 0.3, 0.2, 0.0], // held out 1 → rank 1
            [0.5, 0.9, 0.3, 0.2, 0.0], // held out 0 → rank 2
            [0.5, 0.9, 0.3, 0.2, 0.0], // held out 4 → rank 5
        ]
        let training = interactions(items: 5, likes: [[], [], []])
        let held = [HeldOutPair(user: 0, item: 1), HeldOutPair(user: 1, item: 0), HeldOutPair(user: 2, item: 4)]
        let ranks = try RankingEvaluation.heldOutRanks(FixedScores(table: table), training: training, heldOut: held)
        #expect(ranks == [1, 2, 5])
        let report = QualityReport(method: "fixed", k: 2, ranks: ranks)
        #expect(report.usersEvaluated == 3)
        #expect(report.hitRate == 2.0 / 3.0)
        #expect(abs(report.ndcg - (1 + 1 / log2(3.0)) / 3) < 1e-15)
        let wide = QualityReport(method: "fixed", k: 5, ranks: ranks)
        #expect(wide.hitRate == 1)
        #expect(abs(wide.ndcg - (1 + 1 / log2(3.0) + 1 / log2(6.0)) / 3) < 1e-15)
    }

    @Test func tiesAreBrokenByItemIndex() throws {
        let table: [[Double]] = [[1, 1, 1, 1]]
        let training = interactions(items: 4, likes: [[]])
        for item in 0..<4 {
            let r = try RankingEvaluation.heldOutRanks(FixedScores(table: table), training: training,
                                                       heldOut: [HeldOutPair(user: 0, item: item)])
            #expect(r == [item + 1])
        }
        let top = try RankingEvaluation.recommend(FixedScores(table: table), user: 0, history: training, count: 3)
        #expect(top.map(\.item) == [0, 1, 2])
    }

    @Test func trainingLikesAreNeverRanked() throws {
        // Items 0 and 2 are liked in training and score highest; they must not push item 3 down.
        let table: [[Double]] = [[9, 1, 8, 5, 2]]
        let training = interactions(items: 5, likes: [[0, 2]])
        let ranks = try RankingEvaluation.heldOutRanks(FixedScores(table: table), training: training,
                                                       heldOut: [HeldOutPair(user: 0, item: 3)])
        #expect(ranks == [1])
        let recs = try RankingEvaluation.recommend(FixedScores(table: table), user: 0, history: training, count: 10)
        #expect(recs.map(\.item) == [3, 4, 1])
    }

    @Test func evaluateAveragesOverHeldOutUsersInBlocks() throws {
        let s = RandomProblems.binarySparse(rows: 37, columns: 20, density: 0.3, seed: 5)
        let split = HoldoutSplit(interactions: s, seed: 9)
        let v = RandomProblems.signedMatrix(rows: 20, columns: 4, seed: 6)
        let model = try EmbeddingRecommender(embedding: v)
        let one = try RankingEvaluation.evaluate(model, split: split, k: 5, userBlockSize: 1)
        let many = try RankingEvaluation.evaluate(model, split: split, k: 5, userBlockSize: 8)
        #expect(one == many)
        #expect(one.usersEvaluated == split.heldOut.count)
        #expect(one.k == 5)
        let ranks = try RankingEvaluation.heldOutRanks(model, training: split.training, heldOut: split.heldOut)
        #expect(one.hitRate == Double(ranks.filter { $0 <= 5 }.count) / Double(ranks.count))
    }

    @Test func invalidInputsAreTypedErrors() throws {
        let training = interactions(items: 3, likes: [[0], [1]])
        let model = FixedScores(table: [[1, 2, 3], [1, 2, 3]])
        #expect(throws: EvaluationError.noEvaluableUsers) {
            try RankingEvaluation.evaluate(model, split: HoldoutSplit(interactions: training, seed: 0))
        }
        #expect(throws: EvaluationError.self) {
            try RankingEvaluation.heldOutRanks(model, training: training, heldOut: [HeldOutPair(user: 0, item: 0)])
        }
        let nan = FixedScores(table: [[1, .nan, 3], [1, 2, 3]])
        #expect(throws: EvaluationError.nonFiniteScore(method: "fixed", user: 0)) {
            try RankingEvaluation.heldOutRanks(nan, training: training, heldOut: [HeldOutPair(user: 0, item: 2)])
        }
    }

    @Test func reportRoundTripsThroughJSON() throws {
        let report = QualityReport(method: "EASE (λ = 200.0)", k: 10, ranks: [1, 3, 20])
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(QualityReport.self, from: data) == report)
    }
}
