import ArgumentParser
import Foundation
import DataIO
import Evaluation
import Solvers
import Workflows
import LinearAlgebra

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
