import ArgumentParser
import Foundation
import Solvers
import Workflows

/// Where the problem comes from: a MovieLens ratings file (default: the bundled
/// ml-latest-small) or a matrix file holding X.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "MovieLens ratings CSV (userId,movieId,rating,timestamp). Default: the bundled ml-latest-small.")
    var ratings: String?

    @Option(name: .long, help: "A rating at or above this counts as a like.")
    var likeThreshold: Double = 4.0

    @Option(name: .long, help: "Use this X instead of ratings: dense .npy/.csv or sparse Matrix Market .mtx (symmetric).")
    var matrix: String?

    @Option(help: "Transform X for the closed-form and gradient solvers: counts (X = SᵀS), pmi, sppmi.")
    var transform: TransformName = .counts

    @Option(help: "k of SPPMI = max(PMI − log k, 0) (the SGNS negatives it corresponds to).")
    var shift: Double = 5

    enum TransformName: String, ExpressibleByArgument, CaseIterable { case counts, pmi, sppmi }

    var cooccurrenceTransform: CooccurrenceTransform {
        switch transform {
        case .counts: return .counts
        case .pmi: return .pmi
        case .sppmi: return .sppmi(shift: shift)
        }
    }

    func validate() throws {
        if transform != .counts && matrix != nil { throw ValidationError("--transform applies to --ratings data, not --matrix") }
        guard shift > 0, shift.isFinite else { throw ValidationError("--shift must be positive") }
        if ratings != nil && matrix != nil { throw ValidationError("--ratings and --matrix are exclusive: give one") }
        if matrix != nil && likeThreshold != 4.0 { throw ValidationError("--like-threshold applies to --ratings, not --matrix") }
        guard likeThreshold.isFinite else { throw ValidationError("--like-threshold must be a finite number") }
    }

    /// The bundled ratings file: data/ml-latest-small/ratings.csv beside the package, found from
    /// the working directory or the executable's location.
    static func bundledRatings() throws -> URL {
        let relative = "data/ml-latest-small/ratings.csv"
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative)]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent(relative))
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) { return found }
        throw CLIError("cannot find the bundled \(relative); run from the project folder or give --ratings FILE")
    }

    func load() throws -> Dataset {
        if let matrix { return try Dataset.matrix(URL(fileURLWithPath: matrix)) }
        let url = try ratings.map { URL(fileURLWithPath: $0) } ?? Self.bundledRatings()
        return try Dataset.ratings(url, likeThreshold: likeThreshold).transformed(cooccurrenceTransform)
    }
}
