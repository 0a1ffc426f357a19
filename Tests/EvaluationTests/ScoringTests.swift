import Testing
import LinearAlgebra
import TestSupport
@testable import Evaluation

@Suite struct ScoringTests {
    let s = RandomProblems.binarySparse(rows: 9, columns: 14, density: 0.35, seed: 11)
    let v: Matrix = {
        var v = RandomProblems.signedMatrix(rows: 14, columns: 3, seed: 12)
        for d in 0..<3 { v[4, d] = 0 } // a zero row: cosine must score it 0
        return v
    }()

    func bruteForce(_ sim: (Int, Int) -> Double) -> [[Double]] {
        (0..<s.rows).map { u in
            let likes = (0..<s.columns).filter { s[u, $0] != 0 }
            return (0..<s.columns).map { c in likes.reduce(0) { $0 + sim($1, c) } }
        }
    }

    func dot(_ a: Int, _ b: Int) -> Double { (0..<v.columns).reduce(0) { $0 + v[a, $1] * v[b, $1] } }

    func check(_ model: EmbeddingRecommender, against expected: [[Double]]) {
        let users = Array(0..<s.rows)
        let scores = model.scores(for: users, history: s)
        #expect(scores.rows == s.columns && scores.columns == s.rows)
        let scale = expected.flatMap { $0 }.map(abs).max()!
        for u in users {
            for c in 0..<s.columns {
                #expect(abs(scores[c, u] - expected[u][c]) <= 1e-12 * scale, "user \(u) item \(c)")
            }
        }
    }

    @Test func dotScoresEqualSumOverLikes() throws {
        check(try EmbeddingRecommender(embedding: v, similarity: .dot), against: bruteForce(dot))
    }

    @Test func cosineScoresEqualSumOverLikes() throws {
        func cosine(_ a: Int, _ b: Int) -> Double {
            let n = (dot(a, a) * dot(b, b)).squareRoot()
            return n == 0 ? 0 : dot(a, b) / n
        }
        let model = try EmbeddingRecommender(embedding: v, similarity: .cosine)
        check(model, against: bruteForce(cosine))
        let scores = model.scores(for: Array(0..<s.rows), history: s)
        for u in 0..<s.rows { #expect(scores[4, u] == 0) }
    }

    @Test func scoresDoNotDependOnWhichUsersShareABlock() throws {
        let model = try EmbeddingRecommender(embedding: v)
        let all = model.scores(for: [8, 2, 5], history: s)
        let single = model.scores(for: [2], history: s)
        for c in 0..<s.columns { #expect(abs(all[c, 1] - single[c, 0]) <= 1e-14) }
    }

    @Test func popularityRanksByTrainingCounts() throws {
        // Counts: item0 1, item1 3, item2 3, item3 0, item4 2; user 3 has no likes.
        let training = interactions(items: 5, likes: [[1, 2, 4], [1, 2], [0, 1, 2, 4], []])
        let pop = Popularity(training: training)
        #expect(pop.counts == [1, 3, 3, 0, 2])
        let recs = try RankingEvaluation.recommend(pop, user: 3, history: training, count: 5)
        #expect(recs.map(\.item) == [1, 2, 4, 0, 3])
        #expect(recs.map(\.score) == [3, 3, 2, 1, 0])
        // A user's own likes are skipped.
        let own = try RankingEvaluation.recommend(pop, user: 1, history: training, count: 5)
        #expect(own.map(\.item) == [4, 0, 3])
    }

    @Test func nonFiniteEmbeddingIsRejected() {
        var bad = v
        bad[0, 0] = .infinity
        #expect(throws: EvaluationError.self) { try EmbeddingRecommender(embedding: bad) }
    }
}
