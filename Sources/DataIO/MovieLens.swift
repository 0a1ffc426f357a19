import Foundation
import LinearAlgebra

/// The MovieLens CSV layout (`ratings.csv` plus optional `movies.csv`), turned into a binary
/// "liked" matrix. Ratings are parsed from raw bytes because the full datasets have tens of
/// millions of rows; the small one loads in a few milliseconds.
public enum MovieLens {
    /// The header `ratings.csv` must start with; checked so a wrong file fails loudly.
    public static let ratingsHeader = ["userId", "movieId", "rating", "timestamp"]
    /// The columns `movies.csv` starts with.
    public static let titlesHeader = ["movieId", "title"]

    /// Loads `ratings.csv` into S (users × items, 1 where rating ≥ `likeThreshold`).
    ///
    /// Items are every movie with at least one rating (liked or not), so item indices do not
    /// shift with the threshold; users are every user with a rating. Both are in ascending id
    /// order. A repeated (user, movie) pair counts once: liked if any of its ratings reaches the
    /// threshold. Titles come from `movies` (default: `movies.csv` beside `ratings` when it
    /// exists); a rated movie missing from that file is titled "movie <id>". Without a titles
    /// file `titles` is nil.
    ///
    /// - Throws: `DataIOError` naming the file and line of the first problem; nothing is returned
    ///   on error.
    public static func load(ratings: URL, likeThreshold: Double = 4.0, movies: URL? = nil) throws(DataIOError) -> Interactions {
        let file = ratings.path
        guard likeThreshold.isFinite else {
            throw .invalidContent(file: file, problem: "like threshold \(likeThreshold) is not a finite number")
        }
        return try RatingsFile.load(ratings, layout: .movieLens, likeThreshold: likeThreshold, titles: movies,
                                    titlesHeader: titlesHeader)
    }

    /// Reads `movieId → title` from a `movies.csv` (RFC 4180; header `movieId,title,...`).
    public static func loadTitles(_ url: URL) throws(DataIOError) -> [Int: String] {
        let file = url.path
        var reader = CSVReader(bytes: try FileBytes.read(url), file: file)
        guard let header = try reader.next() else {
            throw .invalidContent(file: file, problem: "empty file: expected a header line starting with movieId,title")
        }
        guard header.fields.count >= 2, header.fields[0] == "movieId", header.fields[1] == "title" else {
            throw .malformed(file: file, line: header.line,
                             problem: "header must start with movieId,title; found \(header.fields.joined(separator: ","))")
        }
        let width = header.fields.count
        var titles: [Int: String] = [:]
        titles.reserveCapacity(reader.bytes.count / 48)
        while let record = try reader.next() {
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }  // blank line
            guard record.fields.count == width else {
                throw .malformed(file: file, line: record.line,
                                 problem: "expected \(width) fields, found \(record.fields.count)")
            }
            let idText = record.fields[0]
            guard let id = Int(idText, radix: 10) else {
                throw .malformed(file: file, line: record.line, problem: "movieId \"\(idText)\" is not an integer")
            }
            guard id >= 0 else {
                throw .malformed(file: file, line: record.line, problem: "movieId \(id) is negative")
            }
            guard titles.updateValue(record.fields[1], forKey: id) == nil else {
                throw .malformed(file: file, line: record.line, problem: "movieId \(id) appears twice")
            }
        }
        return titles
    }
}

/// Maps sparse non-negative ids to dense indices in ascending id order. Uses a direct table
/// when the ids are small enough (MovieLens ids are), else sorting and binary search.
struct IDCompactor {
    let ids: [Int]
    private let table: [Int32]

    init(_ raw: [Int]) { self.init(chunks: [raw]) }

    /// The ids of all chunks together.
    init(chunks: [[Int]]) {
        let maxID = chunks.map { $0.max() ?? -1 }.max() ?? -1
        let total = chunks.reduce(0) { $0 + $1.count }
        if maxID < max(1 << 22, 8 * total) {
            var table = [Int32](repeating: -1, count: maxID + 1)
            for raw in chunks { for id in raw { table[id] = 0 } }
            var ids: [Int] = []
            for id in 0..<table.count where table[id] == 0 {
                table[id] = Int32(ids.count)
                ids.append(id)
            }
            self.ids = ids
            self.table = table
        } else {
            var sorted = chunks.flatMap { $0 }.sorted()
            var w = 0
            for k in 0..<sorted.count where k == 0 || sorted[k] != sorted[k - 1] {
                sorted[w] = sorted[k]
                w += 1
            }
            sorted.removeLast(sorted.count - w)
            self.ids = sorted
            self.table = []
        }
    }

    @inline(__always)
    func index(of id: Int) -> Int {
        if !table.isEmpty { return Int(table[id]) }
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
