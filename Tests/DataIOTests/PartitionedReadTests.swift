import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

/// Threads as the members of a `ReadGroup`: every collective deposits the member's part, waits
/// for all, and reads the others' parts (two barriers per call).
final class ThreadReadGroup: ReadGroup {
    final class Shared: @unchecked Sendable {
        let size: Int
        let condition = NSCondition()
        var generation = 0
        var arrived = 0
        var slots: [Any?]
        init(size: Int) { self.size = size; slots = [Any?](repeating: nil, count: size) }

        func barrier() {
            condition.lock()
            let mine = generation
            arrived += 1
            if arrived == size {
                arrived = 0
                generation += 1
                condition.broadcast()
            } else {
                while generation == mine { condition.wait() }
            }
            condition.unlock()
        }

        func collect(_ rank: Int, _ value: Any) -> [Any] {
            condition.lock(); slots[rank] = value; condition.unlock()
            barrier()
            condition.lock(); let all = slots.map { $0! }; condition.unlock()
            barrier()
            return all
        }
    }

    let rank: Int
    let shared: Shared
    var size: Int { shared.size }
    init(rank: Int, shared: Shared) { self.rank = rank; self.shared = shared }

    func allgather(_ local: [Int64]) throws -> (values: [Int64], counts: [Int]) {
        let all = shared.collect(rank, local).map { $0 as! [Int64] }
        return (all.flatMap { $0 }, all.map(\.count))
    }

    func allgather(bytes local: [UInt8]) throws -> (values: [UInt8], counts: [Int]) {
        let all = shared.collect(rank, local).map { $0 as! [UInt8] }
        return (all.flatMap { $0 }, all.map(\.count))
    }

    func allreduceSum(_ values: inout [Int64]) throws {
        let all = shared.collect(rank, values).map { $0 as! [Int64] }
        for k in values.indices { values[k] = all.reduce(0) { $0 + $1[k] } }
    }

    func exchange(_ send: [Int64], sendCounts: [Int]) throws -> [Int64] {
        let all = shared.collect(rank, (send, sendCounts)).map { $0 as! ([Int64], [Int]) }
        var out: [Int64] = []
        for (values, counts) in all {
            let start = counts[..<rank].reduce(0, +)
            out.append(contentsOf: values[start..<(start + counts[rank])])
        }
        return out
    }

    /// Runs `body` on `size` threads; each member's result or error, in rank order (nil: the
    /// member did not finish within 60 s — a hang).
    static func run<T>(size: Int, _ body: @escaping @Sendable (ThreadReadGroup) throws -> T) -> [Result<T, any Error>?] {
        let shared = Shared(size: size)
        let results = Box<T>(size)
        let done = DispatchGroup()
        for r in 0..<size {
            done.enter()
            let thread = Thread {
                let outcome = Result { try body(ThreadReadGroup(rank: r, shared: shared)) }
                results.set(r, outcome)
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        _ = done.wait(timeout: .now() + 60)
        return results.values
    }

    final class Box<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Result<T, any Error>?]
        init(_ n: Int) { stored = Array(repeating: nil, count: n) }
        func set(_ k: Int, _ v: Result<T, any Error>) { lock.lock(); stored[k] = v; lock.unlock() }
        var values: [Result<T, any Error>?] { lock.lock(); defer { lock.unlock() }; return stored }
    }
}

/// A block rule sensitive to every count (cuts where the running like count passes r/P of the
/// total), so that a wrong count moves a bound.
func splitByLikes(_ likes: [Int], parts: Int) -> [Int] {
    let total = max(1, likes.reduce(0, +))
    var bounds = [0], running = 0
    for (i, c) in likes.enumerated() {
        running += c
        while bounds.count < parts, running * parts >= total * bounds.count { bounds.append(i + 1) }
    }
    while bounds.count < parts { bounds.append(likes.count) }
    bounds.append(likes.count)
    return bounds
}

/// The columns of `s` in `block`, others dropped (what `ItemDistribution.localBlock` returns).
func columnBlock(_ s: SparseMatrix, _ block: Range<Int>) throws -> SparseMatrix {
    var pointers = [0], columns: [Int32] = [], values: [Double] = []
    for u in 0..<s.rows {
        for k in s.rowPointers[u]..<s.rowPointers[u + 1] where block.contains(Int(s.columnIndices[k])) {
            columns.append(s.columnIndices[k]); values.append(s.values[k])
        }
        pointers.append(columns.count)
    }
    return try SparseMatrix(rows: s.rows, columns: s.columns, rowPointers: pointers, columnIndices: columns, values: values)
}

/// Checks every member's partitioned read against the whole read of the same file: the same
/// block of S (bit for bit), ids, names, titles, like counts, row count — or the same error.
func expectMembersMatch(_ whole: Result<Interactions, any Error>, _ results: [Result<InteractionsBlock, any Error>?], parts: Int,
                        sourceLocation: SourceLocation) throws {
    switch whole {
    case let .failure(error):
        for (r, result) in results.enumerated() {
            guard case let .failure(got)? = result else {
                Issue.record("member \(r) of \(parts): expected \(error), got \(String(describing: result))", sourceLocation: sourceLocation)
                continue
            }
            // Member 0 reports the error; the others either hold the same one or know member 0 failed.
            let same = (got as? DataIOError) == (error as? DataIOError)
            #expect(same || (r > 0 && (got as? PeerReadFailure)?.rank == 0), "member \(r) of \(parts): \(got) ≠ \(error)", sourceLocation: sourceLocation)
        }
    case let .success(expected):
        let likes = expected.likesPerItem
        let bounds = splitByLikes(likes, parts: parts)
        for (r, result) in results.enumerated() {
            guard case let .success(got)? = result else {
                Issue.record("member \(r) of \(parts): \(String(describing: result))", sourceLocation: sourceLocation)
                continue
            }
            let block = try columnBlock(expected.matrix, bounds[r]..<bounds[r + 1])
            #expect(got.bounds == bounds, sourceLocation: sourceLocation)
            #expect(got.matrix.rows == block.rows && got.matrix.columns == block.columns, sourceLocation: sourceLocation)
            #expect(got.matrix.rowPointers == block.rowPointers, "member \(r) of \(parts)", sourceLocation: sourceLocation)
            #expect(got.matrix.columnIndices == block.columnIndices, "member \(r) of \(parts)", sourceLocation: sourceLocation)
            #expect(got.matrix.values == block.values, sourceLocation: sourceLocation)
            #expect(got.itemIDs == expected.itemIDs, sourceLocation: sourceLocation)
            #expect(got.itemKeys == expected.itemKeys, sourceLocation: sourceLocation)
            #expect(got.titles == expected.titles, sourceLocation: sourceLocation)
            #expect(got.itemLikes == likes, sourceLocation: sourceLocation)
            #expect(got.ratingCount == expected.ratingCount, sourceLocation: sourceLocation)
            #expect(got.likeThreshold == expected.likeThreshold, sourceLocation: sourceLocation)
        }
    }
}

/// Partitioned reads on 1…4 threads against one whole read of the same file.
@Suite struct PartitionedReadTests {
    /// Reads `url` on `parts` members and checks every member against the whole read: same
    /// block of S (bit for bit), ids, names, titles, like counts, row count — or the same error.
    func compare(_ url: URL, layout: RatingsLayout, threshold: Double = 4, titles: URL? = nil, parts: Int, piece: Int,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let whole = Result { try RatingsFile.load(url, layout: layout, likeThreshold: threshold, titles: titles) }
        let results = ThreadReadGroup.run(size: parts) { group in
            try PartitionedRatings.read(url, layout: layout, likeThreshold: threshold, titles: titles, group: group,
                                        blockBounds: { splitByLikes($0, parts: parts) }, pieceLength: piece)
        }
        try expectMembersMatch(whole, results, parts: parts, sourceLocation: sourceLocation)
    }

    /// Random rows: ids from a few ranges (small, and up to 10¹² so the sorted-id path runs too),
    /// repeated (user, item) pairs, optional CRLF ends.
    func rows(_ rng: inout SplitMix64, count: Int, users: Int, items: Int, bigIDs: Bool) -> [(String, String, String)] {
        var out: [(String, String, String)] = []
        for _ in 0..<count {
            let u = Int(rng.next() % UInt64(users)), i = Int(rng.next() % UInt64(items))
            let user = bigIDs && u % 3 == 0 ? 1_000_000_000_000 + u : u * 7 + 1
            let item = bigIDs && i % 4 == 0 ? 999_999_999_999 - i : i * 3
            let rating = Double(1 + rng.next() % 10) * 0.5
            out.append(("\(user)", "\(item)", "\(rating)"))
            if rng.next() % 8 == 0 { out.append(("\(user)", "\(item)", "\(Double(1 + rng.next() % 10) * 0.5)")) }
        }
        return out
    }

    @Test func movieLensLayoutMatchesTheWholeRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var rng = SplitMix64(seed: 41)
        for trial in 0..<6 {
            let data = rows(&rng, count: 40 + trial * 60, users: 25, items: 30 + trial * 7, bigIDs: trial % 2 == 1)
            let eol = trial == 2 ? "\r\n" : "\n"
            var text = (trial == 3 ? "\u{FEFF}" : "") + "userId,movieId,rating,timestamp" + eol
            for (u, i, r) in data { text += "\(u),\(i),\(r),\(trial)" + eol }
            if trial == 4 { text += "\n" }
            let url = try dir.write(text, to: "ratings\(trial).csv")
            if trial == 5 {
                var titles = "movieId,title,genres\n"
                for (_, i, _) in data.prefix(12) where !titles.contains("\n\(i),") { titles += "\(i),\"Film \(i), the\",Drama\n" }
                try dir.write(titles, to: "movies.csv")
            }
            for parts in 1...4 {
                try compare(url, layout: .movieLens, parts: parts, piece: trial % 2 == 0 ? 1 << 24 : 3)
            }
        }
    }

    @Test func customLayoutsWithStringAndIntegerTokensMatchTheWholeRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var rng = SplitMix64(seed: 42)
        typealias Format = (String, String, String) -> String
        // item;-;user;stars, no header, string ids (first-seen order)
        let semicolons = RatingsLayout(separator: .byte(59), hasHeader: false, columns: try RatingsLayout.Columns(argument: "item,-,user,rating"))
        let semicolonLine: Format = { u, i, r in "sku-\(i);x;user\(u);\(r)" }
        // tab-separated with a header, named columns, no rating (every row a like)
        let tabs = RatingsLayout(separator: .byte(9), hasHeader: true, columns: try RatingsLayout.Columns(argument: "user=customer,item=product"))
        let tabLine: Format = { u, i, _ in "\(u)\tp\(i)\tfoo" }
        // whitespace-separated plain integer tokens (renumbered in ascending order)
        let blanks = RatingsLayout(separator: .whitespace, hasHeader: false, columns: nil)
        let blankLine: Format = { u, i, r in "  \(u)   \(i) \(r)" }
        let layouts: [(RatingsLayout, Format, String)] = [(semicolons, semicolonLine, ""), (tabs, tabLine, "customer\tproduct\tnote\n"),
                                                         (blanks, blankLine, "")]
        for (k, (layout, line, header)) in layouts.enumerated() {
            let data = rows(&rng, count: 150, users: 20, items: 45, bigIDs: false)
            let text = header + data.map { line($0.0, $0.1, $0.2) }.joined(separator: "\n") + "\n"
            let url = try dir.write(text, to: "custom\(k).txt")
            for parts in 1...4 { try compare(url, layout: layout, threshold: 3, parts: parts, piece: 5) }
        }
    }

    @Test func theFirstProblemInTheFileIsReportedWithItsLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var rng = SplitMix64(seed: 43)
        let data = rows(&rng, count: 300, users: 30, items: 40, bigIDs: false)
        let lines = data.map { "\($0.0),\($0.1),\($0.2),5" }
        // Problems at the start, in the middle (in a later member's range), and two at once
        // (the earlier one wins), plus an empty line before the end and a file of only a header.
        let cases: [[Int: String]] = [[3: "1,2,x,4"], [200: "7,8,3.5"], [150: "1,,2,3", 250: "a,1,2,3"], [280: ""], [299: "5,5,5,5,5"]]
        for (k, bad) in cases.enumerated() {
            var copy = lines
            for (at, text) in bad { copy[at] = text }
            let url = try dir.write("userId,movieId,rating,timestamp\n" + copy.joined(separator: "\n") + "\n", to: "bad\(k).csv")
            #expect(dataIOError { try RatingsFile.load(url) } != nil, "case \(k) must be an error")
            for parts in 1...4 { try compare(url, layout: .movieLens, parts: parts, piece: 1 << 24) }
        }
        let empty = try dir.write("userId,movieId,rating,timestamp\n", to: "empty.csv")
        let badHeader = try dir.write("user,movie,rating,timestamp\n1,2,3,4\n", to: "header.csv")
        for url in [empty, badHeader, dir.file("missing.csv")] {
            for parts in 1...3 { try compare(url, layout: .movieLens, parts: parts, piece: 1 << 24) }
        }
    }

    @Test func aMemberThatCannotReadItsInputIsTheOneThatReports() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let good = try dir.write("userId,movieId,rating,timestamp\n1,2,4,0\n2,2,5,0\n", to: "r.csv")
        let results = ThreadReadGroup.run(size: 3) { group in
            try PartitionedRatings.read(group.rank == 1 ? dir.file("gone.csv") : good, group: group,
                                        blockBounds: { splitByLikes($0, parts: 3) })
        }
        for (r, result) in results.enumerated() {
            guard case let .failure(error)? = result else { Issue.record("member \(r): \(String(describing: result))"); continue }
            if r == 1 {
                #expect(error as? DataIOError == .unreadable(file: dir.file("gone.csv").path, reason: "No such file or directory"))
            } else {
                #expect((error as? PeerReadFailure)?.rank == 1)
            }
        }
    }

    @Test func duplicateLikesThatMoveABoundNeedTheSecondExchange() throws {
        // Item 0 is liked by one user 30 times: raw counts put most of the weight on item 0,
        // de-duplicated counts do not, so the provisional blocks differ from the final ones.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var text = "userId,movieId,rating,timestamp\n"
        for _ in 0..<30 { text += "1,10,5,0\n" }
        for u in 2...9 { for i in [20, 30, 40, 50] { text += "\(u),\(i),4,0\n" } }
        let url = try dir.write(text, to: "dup.csv")
        let whole = try RatingsFile.load(url)
        #expect(splitByLikes(whole.likesPerItem, parts: 2) != splitByLikes([30, 8, 8, 8, 8], parts: 2))
        for parts in 2...4 { try compare(url, layout: .movieLens, parts: parts, piece: 2) }
    }
}

/// `.mtx` and `.npz` S read on 1…4 threads against `InteractionFile.load` of the same file.
@Suite struct PartitionedInteractionFileTests {
    func compare(_ url: URL, threshold: Double? = nil, parts: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let whole = Result { try InteractionFile.load(url, likeThreshold: threshold) }
        let results = ThreadReadGroup.run(size: parts) { group in
            try PartitionedInteractionFile.read(url, likeThreshold: threshold, group: group,
                                                blockBounds: { splitByLikes($0, parts: parts) }, pieceLength: 4)
        }
        try expectMembersMatch(whole, results, parts: parts, sourceLocation: sourceLocation)
    }

    /// Entries of a random S (with repeated coordinates and zeros) as 1-based (row, column, count).
    func entries(_ rng: inout SplitMix64, rows: Int, columns: Int, count: Int) -> [(Int, Int, Int)] {
        (0..<count).map { _ in (1 + Int(rng.next() % UInt64(rows)), 1 + Int(rng.next() % UInt64(columns)), Int(rng.next() % 4)) }
    }

    func mtx(_ banner: String, _ rows: Int, _ columns: Int, _ lines: [String], declared: Int? = nil) -> String {
        "%%MatrixMarket matrix \(banner)\n% a comment\n\n\(rows) \(columns) \(declared ?? lines.count)\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test func matrixMarketFilesMatchTheWholeRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var rng = SplitMix64(seed: 51)
        let e = entries(&rng, rows: 23, columns: 31, count: 260)
        var files: [(String, Double?)] = []
        files.append((mtx("coordinate integer general", 23, 31, e.map { "\($0.0) \($0.1) \($0.2)" }), nil))
        files.append((mtx("coordinate pattern general", 23, 31, e.enumerated().map { $0.offset % 50 == 7 ? "% note\n\($0.element.0) \($0.element.1)" : "\($0.element.0) \($0.element.1)" }), nil))
        files.append((mtx("coordinate real general", 23, 31, e.map { "\($0.0)\t\($0.1) \(Double($0.2) * 1.5)" }), 2.5))
        let lower = e.map { ($0.0 >= $0.1 ? $0.0 : $0.1, $0.0 >= $0.1 ? $0.1 : $0.0, $0.2) }
        files.append((mtx("coordinate integer symmetric", 31, 31, lower.map { "\($0.0) \($0.1) \($0.2)" }), nil))
        // Problems early, late (a later member's range), an extra entry, a missing one, a bad count.
        var late = e.map { "\($0.0) \($0.1) \($0.2)" }
        late[230] = "3 4"
        files.append((mtx("coordinate integer general", 23, 31, late), nil))
        var outside = e.map { "\($0.0) \($0.1) \($0.2)" }
        outside[40] = "3 99 1"
        outside[200] = "x 1 1"
        files.append((mtx("coordinate integer general", 23, 31, outside), nil))
        files.append((mtx("coordinate integer general", 23, 31, e.map { "\($0.0) \($0.1) \($0.2)" }, declared: 200), nil))
        files.append((mtx("coordinate integer general", 23, 31, e.map { "\($0.0) \($0.1) \($0.2)" }, declared: 300), nil))
        var negative = e.map { "\($0.0) \($0.1) \($0.2)" }
        negative[180] = "1 1 -2"
        files.append((mtx("coordinate integer general", 23, 31, negative), nil))
        files.append((mtx("array real general", 2, 2, ["1", "2", "3", "4"]), nil))
        files.append((mtx("coordinate integer general", 0, 5, []), nil))
        files.append(("%%MatrixMarket matrix coordinate integer general\n% only comments\n", nil))
        for (k, (text, threshold)) in files.enumerated() {
            let url = try dir.write(text, to: "s\(k).mtx")
            for parts in 1...4 { try compare(url, threshold: threshold, parts: parts) }
        }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test func sparseNPZFilesMatchTheWholeRead() throws {
        // CSR/CSC/COO, stored and deflated, bool data and int64 indices, repeated coordinates,
        // and CSC files whose problems lie in a later member's slice.
        let names = ["random_csr", "random_csc", "random_csc_stored", "random_coo", "counts_csr", "counts_csc", "counts_coo",
                     "counts_coo_array", "likes_bool_int64", "ratings_csr", "random_csc_bad_value", "random_csc_bad_index", "random_csr_bad"]
        for name in names {
            let url = Self.fixtures.appendingPathComponent("\(name).npz")
            let threshold: Double? = name == "ratings_csr" ? 4 : nil
            for parts in 1...4 { try compare(url, threshold: threshold, parts: parts) }
        }
        #expect(dataIOError { try InteractionFile.load(Self.fixtures.appendingPathComponent("random_csc_bad_value.npz")) }
                == .invalidContent(file: Self.fixtures.appendingPathComponent("random_csc_bad_value.npz").path,
                                   problem: "data[2100]: interaction count -1.0 is not a non-negative integer"))
    }

    @Test func aDamagedNPZIsRefusedAsByOneProcess() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var bytes = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("random_csc_stored.npz")))
        bytes[bytes.count / 2] ^= 0x55   // inside indices or data: a CRC-32 mismatch
        let damaged = try dir.write(bytes: bytes, to: "damaged.npz")
        #expect(dataIOError { try InteractionFile.load(damaged) } != nil)
        let truncated = try dir.write(bytes: Array(bytes.prefix(100)), to: "short.npz")
        for url in [damaged, truncated, dir.file("none.npz")] {
            for parts in 1...3 { try compare(url, parts: parts) }
        }
    }
}
