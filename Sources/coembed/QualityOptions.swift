import ArgumentParser
import Foundation
import DataIO
import Evaluation
import Solvers
import Workflows

/// Options for recommendation quality on a seeded hold-out (one liked movie per user hidden).
struct QualityOptions: ParsableArguments {
    @Flag(help: "Hide one liked movie per user with ≥ 2 likes (seeded by --seed), train on the rest and report HitRate@K and NDCG@K.")
    var holdout = false

    @Option(name: .customShort("k"), help: "K of HitRate@K and NDCG@K.")
    var k: Int = 10

    @Option(help: "Similarity used to score unseen movies: dot or cosine (default: the method's own, cosine for sgns, dot otherwise).")
    var similarity: Similarity?

    @Option(help: "Evaluate a seeded sample of this many held-out users (default: all, or 10000 when items × users exceeds 2e9). Scores item panels with a top-K list, so memory stays small at any catalogue size.")
    var evalUsers: Int?

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k must be ≥ 1") }
        if let evalUsers, evalUsers < 1 { throw ValidationError("--eval-users must be ≥ 1") }
    }

    /// The held-out pairs evaluated: all of them, or a seeded sample (see --eval-users).
    func evaluatedPairs(_ split: HoldoutSplit) -> [HeldOutPair] {
        let scores = split.training.columns.multipliedReportingOverflow(by: split.heldOut.count)
        let large = scores.overflow || scores.partialValue > BlockedRanking.fullEvaluationLimit
        guard let count = evalUsers ?? (large ? BlockedRanking.defaultSample : nil) else { return split.heldOut }
        return BlockedRanking.sample(split.heldOut, count: count, seed: split.seed)
    }

    /// HitRate@K and NDCG@K of `embedding` on `split` (on a sample of its users with --eval-users
    /// or at scale, scored in item panels).
    func quality(of embedding: LinearAlgebra.Matrix, split: HoldoutSplit, name: String, method: RegisteredMethod? = nil) throws -> QualityReport {
        let scoring = similarity ?? method?.defaultSimilarity ?? .dot
        let recommender = try EmbeddingRecommender(embedding: embedding, similarity: scoring, name: name)
        let pairs = evaluatedPairs(split)
        if pairs.count == split.heldOut.count && evalUsers == nil {
            return try RankingEvaluation.evaluate(recommender, split: split, k: k)
        }
        return try BlockedRanking.evaluate(recommender, training: split.training, heldOut: pairs, k: k)
    }

    static func line(_ q: QualityReport) -> String {
        String(format: "%@: HitRate@%d=%.4f NDCG@%d=%.4f users=%d", q.method, q.k, q.hitRate, q.k, q.ndcg, q.usersEvaluated)
    }
}

import LinearAlgebra
