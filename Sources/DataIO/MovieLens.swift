import Foundation
import LinearAlgebra

/// The MovieLens CSV layout (`ratings.csv` plus optional `movies.csv`), turned into a binary
/// "liked" matrix. Ratings are parsed from raw bytes because the full datasets have tens of
/// millions of rows; the small one loads in a few milliseconds.
public enum MovieLens {
    /// The header `ratings.csv` must start with; checked so a wrong file fails loudly.
    public static let ratingsHeader = ["userId", "movieId", "rating", "timestamp"]

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
        let bytes = try FileBytes.read(ratings)
        let parsed = try parseRatings(bytes, file: file, likeThreshold: likeThreshold)

        let users = IDCompactor(parsed.users)
        let items = IDCompactor(parsed.movies)
        let matrix = buildLikes(parsed, users: users, items: items)

        var titles: [String]?
        let moviesURL = movies ?? {
            let beside = ratings.deletingLastPathComponent().appendingPathComponent("movies.csv")
            return FileManager.default.fileExists(atPath: beside.path) ? beside : nil
        }()
        if let moviesURL {
            let byID = try loadTitles(moviesURL)
            titles = items.ids.map { byID[$0] ?? "movie \($0)" }
        }
        return Interactions(matrix: matrix, userIDs: users.ids, itemIDs: items.ids, titles: titles,
                            likeThreshold: likeThreshold, ratingCount: parsed.users.count, source: file)
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

    // MARK: - Parsing

    struct ParsedRatings {
        var users: [Int] = []
        var movies: [Int] = []
        var liked: [Bool] = []
    }

    /// The hot loop: one pass over the bytes, four fields per line, no intermediate strings.
    static func parseRatings(_ bytes: [UInt8], file: String, likeThreshold: Double) throws(DataIOError) -> ParsedRatings {
        let estimate = bytes.count / 24 + 16
        var users = [Int](), movies = [Int](), liked = [Bool]()
        users.reserveCapacity(estimate)
        movies.reserveCapacity(estimate)
        liked.reserveCapacity(estimate)
        let failure: DataIOError? = bytes.withUnsafeBufferPointer { p in
            let n = p.count
            var i = p.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var line = 0
            while i < n {
                line += 1
                // Field boundaries of the (expected) four fields, found in one scan to the line end.
                var s0 = i, e0 = i, s1 = i, e1 = i, s2 = i, e2 = i, s3 = i
                var fields = 1
                var j = i
                while j < n {
                    let b = p[j]
                    if b == ASCII.lf { break }
                    if b == ASCII.comma {
                        switch fields {
                        case 1: e0 = j; s1 = j + 1
                        case 2: e1 = j; s2 = j + 1
                        case 3: e2 = j; s3 = j + 1
                        default: break
                        }
                        fields += 1
                    }
                    j += 1
                }
                var lineEnd = j
                if lineEnd > i, p[lineEnd - 1] == ASCII.cr { lineEnd -= 1 }
                let e3 = lineEnd
                let next = j + 1
                if lineEnd == i {
                    // An empty line is fine only as the very end of the file.
                    if next >= n { break }
                    return .malformed(file: file, line: line, problem: "empty line")
                }
                guard fields == 4 else {
                    return .malformed(file: file, line: line,
                                      problem: "expected 4 fields (userId,movieId,rating,timestamp), found \(fields)")
                }
                if line == 1 {
                    let names = [(s0, e0), (s1, e1), (s2, e2), (s3, e3)].map {
                        String(decoding: UnsafeBufferPointer(rebasing: p[$0.0..<$0.1]), as: UTF8.self)
                    }
                    guard names == ratingsHeader else {
                        return .malformed(file: file, line: line,
                                          problem: "header must be userId,movieId,rating,timestamp; found \(names.joined(separator: ","))")
                    }
                    i = next
                    continue
                }
                guard let user = ByteNumber.parseInt(p, s0, e0) else {
                    return .malformed(file: file, line: line, problem: "userId \(TextFormat.excerpt(p, s0, e0)) is not an integer")
                }
                guard let movie = ByteNumber.parseInt(p, s1, e1) else {
                    return .malformed(file: file, line: line, problem: "movieId \(TextFormat.excerpt(p, s1, e1)) is not an integer")
                }
                guard let rating = ByteNumber.parseDouble(p, s2, e2) else {
                    return .malformed(file: file, line: line, problem: "rating \(TextFormat.excerpt(p, s2, e2)) is not a number")
                }
                guard ByteNumber.parseInt(p, s3, e3) != nil else {
                    return .malformed(file: file, line: line, problem: "timestamp \(TextFormat.excerpt(p, s3, e3)) is not an integer")
                }
                guard user >= 0 else {
                    return .malformed(file: file, line: line, problem: "userId \(user) is negative")
                }
                guard movie >= 0 else {
                    return .malformed(file: file, line: line, problem: "movieId \(movie) is negative")
                }
                guard rating.isFinite else {
                    return .malformed(file: file, line: line, problem: "rating \(rating) is not a finite number")
                }
                users.append(user)
                movies.append(movie)
                liked.append(rating >= likeThreshold)
                i = next
            }
            if line == 0 {
                return .invalidContent(file: file, problem: "empty file: expected the header userId,movieId,rating,timestamp")
            }
            return nil
        }
        if let failure { throw failure }
        guard !users.isEmpty else {
            throw .invalidContent(file: file, problem: "no rating rows after the header")
        }
        return ParsedRatings(users: users, movies: movies, liked: liked)
    }

    /// S from the parsed rows: CSR built by counting sort on users, then sort + de-duplicate
    /// each row's item indices.
    static func buildLikes(_ parsed: ParsedRatings, users: IDCompactor, items: IDCompactor) -> SparseMatrix {
        let rows = users.ids.count
        var counts = [Int](repeating: 0, count: rows + 1)
        var userIndex = [Int32](repeating: 0, count: parsed.users.count)
        var itemIndex = [Int32](repeating: 0, count: parsed.users.count)
        for k in 0..<parsed.users.count where parsed.liked[k] {
            let u = users.index(of: parsed.users[k])
            userIndex[k] = Int32(u)
            itemIndex[k] = Int32(items.index(of: parsed.movies[k]))
            counts[u + 1] += 1
        }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var next = counts
        var columns = [Int32](repeating: 0, count: counts[rows])
        for k in 0..<parsed.users.count where parsed.liked[k] {
            let u = Int(userIndex[k])
            columns[next[u]] = itemIndex[k]
            next[u] += 1
        }
        var pointers = [Int](repeating: 0, count: rows + 1)
        var outColumns = [Int32]()
        outColumns.reserveCapacity(columns.count)
        for r in 0..<rows {
            columns[counts[r]..<counts[r + 1]].sort()
            var previous: Int32 = -1
            for k in counts[r]..<counts[r + 1] where columns[k] != previous {
                outColumns.append(columns[k])
                previous = columns[k]
            }
            pointers[r + 1] = outColumns.count
        }
        let values = [Double](repeating: 1, count: outColumns.count)
        // The arrays satisfy the CSR invariants by construction.
        return try! SparseMatrix(rows: rows, columns: items.ids.count, rowPointers: pointers,
                                 columnIndices: outColumns, values: values)
    }
}

/// Maps sparse non-negative ids to dense indices in ascending id order. Uses a direct table
/// when the ids are small enough (MovieLens ids are), else sorting and binary search.
struct IDCompactor {
    let ids: [Int]
    private let table: [Int32]

    init(_ raw: [Int]) {
        let maxID = raw.max() ?? -1
        if maxID < max(1 << 22, 8 * raw.count) {
            var table = [Int32](repeating: -1, count: maxID + 1)
            for id in raw { table[id] = 0 }
            var ids: [Int] = []
            for id in 0..<table.count where table[id] == 0 {
                table[id] = Int32(ids.count)
                ids.append(id)
            }
            self.ids = ids
            self.table = table
        } else {
            var sorted = raw.sorted()
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
