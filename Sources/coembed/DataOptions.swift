import ArgumentParser
import Foundation
import DataIO
import Solvers
import Workflows

/// Where the problem comes from: a ratings file (default: the bundled ml-latest-small), the
/// interaction matrix S itself, or a matrix file holding X.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Ratings file: MovieLens ratings.csv (userId,movieId,rating,timestamp), or any layout with --sep, --no-header, --columns. Default: the bundled ml-latest-small.",
        valueName: "file"),
            completion: .file(extensions: ["csv", "tsv", "txt", "data"]))
    var ratings: String?

    @Flag(help: "Say on stderr when Coembed restarts itself to use OpenBLAS's faster kernels (also COEMBED_VERBOSE=1); under mpirun, also what each rank read (its item block, likes, time, memory).")
    var verbose = false

    @Option(name: .long, help: ArgumentHelp(
        "Field separator of --ratings: a character such as ';' or '|', '\\t' (or 'tab') for tabs, 'whitespace' for runs of spaces/tabs. Default ','.",
        valueName: "sep"))
    var sep: String?

    @Flag(name: .long, help: "The --ratings file has no header line (its first line is data).")
    var noHeader = false

    @Option(name: .long, help: ArgumentHelp(
        "Where the user, item, rating and timestamp are in --ratings (rating and timestamp optional; without a rating every row is a like). Roles in file order: 'user,item,rating,timestamp' ('-' skips a column); or role=column: 'user=customer,item=sku'; or columns in the order user,item[,rating[,timestamp]] by header name or 1-based position: 'userId,movieId,stars', '2,1,3'. Ids may be any token; see docs/formats.md.",
        valueName: "spec"))
    var columns: String?

    @Option(name: .long, help: ArgumentHelp(
        "Item titles: a CSV with a header, item id in the first column and title in the second (default: movies.csv beside a MovieLens ratings.csv).",
        valueName: "file"), completion: .file(extensions: ["csv"]))
    var titles: String?

    @Option(name: .long, help: ArgumentHelp(
        "The interaction matrix S (users × items) itself: SciPy sparse .npz (scipy.sparse.save_npz; CSR, CSC or COO) or Matrix Market coordinate .mtx. Entries are counts (positive = like) unless --like-threshold is given.",
        valueName: "file"), completion: .file(extensions: ["npz", "mtx"]))
    var interactions: String?

    @Option(name: .long, help: ArgumentHelp(
        "A rating at or above this counts as a like (default 4 for --ratings; for --interactions it makes the entries ratings instead of counts).",
        valueName: "value"))
    var likeThreshold: Double?

    @Option(name: .long, help: ArgumentHelp("Use this X instead of ratings: dense .npy/.csv or sparse Matrix Market .mtx (symmetric).", valueName: "file"),
            completion: .file(extensions: ["npy", "csv", "mtx"]))
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
        let sources = [("--ratings", ratings), ("--matrix", matrix), ("--interactions", interactions)].filter { $0.1 != nil }.map(\.0)
        if sources.count > 1 { throw ValidationError("\(sources.joined(separator: " and ")) are exclusive: give one") }
        if matrix != nil && likeThreshold != nil { throw ValidationError("--like-threshold applies to --ratings or --interactions, not --matrix") }
        if let likeThreshold, !likeThreshold.isFinite { throw ValidationError("--like-threshold must be a finite number") }
        for (flag, given) in [("--sep", sep != nil), ("--no-header", noHeader), ("--columns", columns != nil), ("--titles", titles != nil)]
        where given && ratings == nil {
            throw ValidationError("\(flag) describes a --ratings file; give --ratings FILE")
        }
        _ = try layout()
    }

    /// The --ratings layout from --sep, --no-header and --columns.
    func layout() throws -> RatingsLayout {
        var layout = RatingsLayout.movieLens
        if let sep {
            guard let separator = RatingsLayout.Separator(argument: sep) else {
                throw ValidationError("--sep must be one ASCII character (not a quote or line end), '\\t', 'tab' or 'whitespace'; got '\(sep)'")
            }
            layout.separator = separator
        }
        layout.hasHeader = !noHeader
        if let columns {
            do { layout.columns = try RatingsLayout.Columns(argument: columns) } catch { throw ValidationError(error.description) }
        }
        return layout
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

    /// Names of the rows of an embedding of `--matrix` data (its CSV header, or V1…Vp).
    func variableNames(count: Int) throws -> [String] {
        guard let matrix else { return (0..<count).map { "V\($0 + 1)" } }
        return try VariableNames.read(URL(fileURLWithPath: matrix), count: count)
    }

    func load() throws -> Dataset {
        if let matrix { return try Dataset.matrix(URL(fileURLWithPath: matrix)) }
        let progress = SetupProgress()
        defer { progress.finish() }
        if let interactions {
            return try Dataset.interactions(URL(fileURLWithPath: interactions), likeThreshold: likeThreshold,
                                            progress: progress.update).transformed(cooccurrenceTransform)
        }
        let url = try ratings.map { URL(fileURLWithPath: $0) } ?? Self.bundledRatings()
        return try Dataset.ratings(url, likeThreshold: likeThreshold ?? 4, layout: layout(),
                                   titles: titles.map { URL(fileURLWithPath: $0) },
                                   progress: progress.update).transformed(cooccurrenceTransform)
    }
}
