import ArgumentParser
import Foundation
import DataIO
import Evaluation
import Solvers
import Workflows

struct NeighborsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbors", abstract: "Nearest movies to a movie by cosine similarity of an embedding.",
        discussion: """
            Examples:
              coembed neighbors --embedding out/v.npy --item "Toy Story (1995)"
              coembed neighbors --embedding out/v.npy --item 318 -k 5
              coembed neighbors --embedding out/v.npy --item matrix        # lists the matching titles
            """)

    @Option(help: ArgumentHelp("The embedding (.npy, rows in item order of the ratings file).", valueName: "file"),
            completion: .file(extensions: ["npy"]))
    var embedding: String

    @Option(help: "A movieId or a case-insensitive part of a title.")
    var item: String

    @Option(name: .short, help: "How many neighbours.")
    var k: Int = 10

    @Option(help: ArgumentHelp("MovieLens ratings CSV the embedding was trained on (default: the bundled ml-latest-small).", valueName: "file"),
            completion: .file(extensions: ["csv"]))
    var ratings: String?

    @Option(help: "The like threshold used for training (items are the same for any threshold).")
    var likeThreshold: Double = 4.0

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k must be ≥ 1") }
    }

    func run() throws {
        let url = try ratings.map { URL(fileURLWithPath: $0) } ?? DataOptions.bundledRatings()
        let interactions = try MovieLens.load(ratings: url, likeThreshold: likeThreshold)
        let v = try NPY.read(URL(fileURLWithPath: embedding))
        guard v.rows == interactions.itemCount else {
            throw CLIError("\(embedding) has \(v.rows) rows but \(url.lastPathComponent) has \(interactions.itemCount) items")
        }
        let index: Int
        do {
            index = try TitleLookup.resolve(item, in: interactions)
        } catch let TitleLookupError.ambiguous(query, candidates, count) {
            var message = "'\(query)' matches \(count) movies; give a movieId or a longer title:\n"
            message += candidates.map { "  \($0.movieId)  \($0.title)" }.joined(separator: "\n")
            if count > candidates.count { message += "\n  …" }
            throw CLIError(message)
        } catch TitleLookupError.notFound(let query) {
            throw CLIError("no movie matches '\(query)'")
        }
        let title = { (i: Int) in interactions.titles?[i] ?? "movie \(interactions.itemIDs[i])" }
        print("\(interactions.itemIDs[index])  \(title(index))  (\(interactions.likesPerItem[index]) likes)")
        let neighbours = try Neighbors(embedding: v).nearest(to: index, k: k)
        if neighbours.isEmpty { print("  (its vector is zero: no neighbours by cosine)") }
        for n in neighbours {
            print(String(format: "  %.4f  %6d  %@", n.score, interactions.itemIDs[n.item], title(n.item)))
        }
    }
}
