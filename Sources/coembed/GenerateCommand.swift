import ArgumentParser
import Foundation
import Solvers
import Workflows

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic, seeded interaction file (log-normal user activity, Zipf-like item popularity).",
        discussion: """
            Likes per user are log-normal (σ = 1) scaled to exactly --likes; the item of popularity
            rank r is drawn with probability ∝ (r + 10)^−0.9 (ranks shuffled over item ids by the
            seed); each user's likes are distinct. The format follows the output's extension:
            .csv writes MovieLens ratings (userId,movieId,rating,timestamp; every like is rated
            5.0, so the default --like-threshold 4 reads them all). Equal options write equal bytes.
            """)

    @Option(help: "Number of users (rows of S).")
    var users: Int

    @Option(help: "Number of items (columns of S); items nobody likes do not appear in a ratings file.")
    var items: Int

    @Option(help: "Exact number of likes (stored entries of S); at most users × items/2.")
    var likes: Int

    @Option(help: "Random seed; every draw flows from it.")
    var seed: UInt64 = 0

    @Option(help: "Output file; its extension picks the format (.csv).")
    var output: String

    func run() throws {
        let url = URL(fileURLWithPath: output)
        let format = try InteractionFileFormat.forOutput(url)
        let workload = SyntheticInteractions(users: users, items: items, likes: likes, seed: seed)
        try workload.validate()
        let s = try workload.generate()
        try InteractionWriter.write(s, format: format, to: url)
        print("wrote \(output): \(users) users × \(items) items, \(s.nonzeroCount) likes (seed \(seed))")
    }
}
