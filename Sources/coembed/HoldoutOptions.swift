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

struct HoldoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holdout",
        abstract: "Write the seeded hold-out split (userId,movieId of each hidden like) used by --holdout, for tools outside Coembed.",
        discussion: """
            Examples:
              coembed holdout --output out/heldout.csv
              coembed holdout --seed 3 --output out/heldout-3.csv
              coembed holdout --ratings my/ratings.csv --like-threshold 3.5 --output out/heldout.csv
            """)

    @Option(help: ArgumentHelp("MovieLens ratings CSV (default: the bundled ml-latest-small).", valueName: "file"),
            completion: .file(extensions: ["csv"]))
    var ratings: String?

    @Option(help: "A rating at or above this counts as a like.")
    var likeThreshold: Double = 4.0

    @Option(help: "Seed of the split (the same as --seed of solve/compare/evaluate).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Output CSV: userId,movieId per held-out like.", valueName: "file"),
            completion: .file(extensions: ["csv"]))
    var output: String

    func run() throws {
        do { try OutputPlan.prepareFolder(URL(fileURLWithPath: output).deletingLastPathComponent()) } catch let error as OutputError {
            throw CLIError(error.description)
        }
        let url = try ratings.map { URL(fileURLWithPath: $0) } ?? DataOptions.bundledRatings()
        let interactions = try MovieLens.load(ratings: url, likeThreshold: likeThreshold)
        let split = HoldoutSplit(interactions, seed: seed)
        var text = "userId,movieId\n"
        for pair in split.heldOut { text += "\(interactions.userIDs[pair.user]),\(interactions.itemIDs[pair.item])\n" }
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
        print("held out \(split.heldOut.count) likes (seed \(seed)) → \(output)")
    }
}

import LinearAlgebra
