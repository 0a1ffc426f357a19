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

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k must be ≥ 1") }
    }

    /// HitRate@K and NDCG@K of `embedding` on `split`.
    func quality(of embedding: LinearAlgebra.Matrix, split: HoldoutSplit, name: String, method: RegisteredMethod? = nil) throws -> QualityReport {
        let scoring = similarity ?? method?.defaultSimilarity ?? .dot
        return try RankingEvaluation.evaluate(try EmbeddingRecommender(embedding: embedding, similarity: scoring, name: name),
                                       split: split, k: k)
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
