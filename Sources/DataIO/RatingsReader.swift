import Dispatch
import LinearAlgebra

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a ratings (interactions) text file into S, in parallel.
///
/// The bytes after the header are cut into chunks at line ends; each chunk is parsed on its
/// own thread into flat id/like arrays (no strings, no per-line allocation), and an error's line
/// number is its chunk's first line plus its line within the chunk, so it is the same as a
/// sequential read reports: the first chunk with a problem holds the file's first problem.
///
/// Ids: in the MovieLens layout they must be non-negative integers and rows are in ascending id
/// order. In a custom layout ids are tokens (any bytes between separators): when every token of
/// a column is a plain non-negative integer (`0` or no leading zero) the rows are in ascending
/// numeric order as for MovieLens; otherwise rows are in the order ids are first seen in the
/// file and the tokens are kept as the ids' names.
enum RatingsReader {
    struct Result {
        var matrix: SparseMatrix
        var userIDs: [Int]
        var itemIDs: [Int]
        var userKeys: [String]?
        var itemKeys: [String]?
        var rowCount: Int
        var hasRating: Bool
    }

    /// Column indices (0-based) of each role after resolving the layout against line 1.
    struct Resolved {
        var width: Int
        var user: Int, item: Int
        var rating: Int?, timestamp: Int?
        var movieLens: Bool
        var userLabel: String, itemLabel: String
        var fieldsMessage: String
    }

    static func read(_ bytes: [UInt8], file: String, layout: RatingsLayout, likeThreshold: Double) throws(DataIOError) -> Result {
        let outcome: Swift.Result<Result, DataIOError> = bytes.withUnsafeBufferPointer { p in
            do throws(DataIOError) {
                return .success(try read(p, file: file, layout: layout, likeThreshold: likeThreshold))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    static func read(_ p: UnsafeBufferPointer<UInt8>, file: String, layout: RatingsLayout,
                     likeThreshold: Double) throws(DataIOError) -> Result {
        let (resolved, dataStart, firstLine) = try head(p, file: file, layout: layout)
        let slots = parseChunks(p, from: dataStart, file: file, resolved: resolved, layout: layout,
                                likeThreshold: likeThreshold, endsFile: true)
        defer { slots.deinitialize(); slots.deallocate() }
        let count = slots.count

        var linesBefore = firstLine - 1
        var rows = 0
        for k in 0..<count {
            if let failure = slots[k].failure {
                throw .malformed(file: file, line: linesBefore + failure.line, problem: failure.problem)
            }
            linesBefore += slots[k].lines
            rows += slots[k].users.count
        }
        guard rows > 0 else {
            throw .invalidContent(file: file, problem: layout.hasHeader ? "no rating rows after the header" : "no rating rows")
        }
        if resolved.movieLens {
            return buildNumeric(slots, rows: rows)
        }
        return buildTokens(p, slots, rows: rows, hasRating: resolved.rating != nil)
    }

    /// Line 1 (after a UTF-8 byte order mark): the header, or the first data row (it fixes the
    /// number of fields). `p` holds the file's start, at least through the first line feed (or the
    /// whole file). Returns the resolved columns, where the data rows start and their first line.
    static func head(_ p: UnsafeBufferPointer<UInt8>, file: String, layout: RatingsLayout) throws(DataIOError)
        -> (resolved: Resolved, dataStart: Int, firstLine: Int) {
        let n = p.count
        let begin = (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) ? 3 : 0
        guard begin < n else {
            let expectation = layout.isMovieLens ? "expected the header userId,movieId,rating,timestamp" : "expected rating rows"
            throw .invalidContent(file: file, problem: "empty file: \(expectation)")
        }
        var firstEnd = begin
        while firstEnd < n, p[firstEnd] != ASCII.lf { firstEnd += 1 }
        let afterFirst = min(n, firstEnd + 1)
        if firstEnd > begin, p[firstEnd - 1] == ASCII.cr { firstEnd -= 1 }
        let firstFields = fields(p, begin, firstEnd, layout.separator)
        let resolved = try resolve(layout, firstFields: firstFields.map { String(decoding: UnsafeBufferPointer(rebasing: p[$0.0..<$0.1]), as: UTF8.self) },
                                   file: file)
        let dataStart = layout.hasHeader ? afterFirst : begin
        let firstLine = layout.hasHeader ? 2 : 1
        return (resolved, dataStart, firstLine)
    }

    /// Parses the lines in `p[dataStart...]` in parallel chunks (cut just after line feeds), into
    /// slots the caller deinitialises and deallocates. `endsFile`: the end of `p` is the end of the
    /// file (the only place an empty line is allowed); false for a byte range of a longer file.
    static func parseChunks(_ p: UnsafeBufferPointer<UInt8>, from dataStart: Int, file: String, resolved: Resolved,
                            layout: RatingsLayout, likeThreshold: Double, endsFile: Bool) -> UnsafeMutableBufferPointer<ChunkResult> {
        let n = p.count
        // Chunks end just after a line feed, so every chunk starts at a line start.
        let chunkCount = n - dataStart < 1 << 20 ? 1 : 4 * ProcessInfoCores.count
        var bounds = [dataStart]
        for k in 1..<max(chunkCount, 1) {
            var cut = max(bounds[bounds.count - 1], dataStart + (n - dataStart) * k / chunkCount)
            while cut < n, cut > dataStart, p[cut - 1] != ASCII.lf { cut += 1 }
            bounds.append(cut)
        }
        bounds.append(n)
        let count = bounds.count - 1
        let slots = UnsafeMutableBufferPointer<ChunkResult>.allocate(capacity: count)
        slots.initialize(repeating: ChunkResult())
        let job = ChunkJob(p: p, file: file, resolved: resolved, separator: layout.separator, likeThreshold: likeThreshold,
                           bounds: bounds, slots: slots, fileEnd: endsFile ? n : Int.max)
        DispatchQueue.concurrentPerform(iterations: count) { k in job.run(k) }
        return slots
    }

    /// Splits `start..<end` into fields (byte ranges).
    static func fields(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ separator: RatingsLayout.Separator) -> [(Int, Int)] {
        switch separator {
        case .whitespace:
            return LineScanner.tokens(p, start, end).map { ($0.start, $0.end) }
        case let .byte(sep):
            var out: [(Int, Int)] = []
            var s = start
            for j in start..<end where p[j] == sep {
                out.append((s, j))
                s = j + 1
            }
            out.append((s, end))
            return out
        }
    }

    static func resolve(_ layout: RatingsLayout, firstFields: [String], file: String) throws(DataIOError) -> Resolved {
        if layout.isMovieLens {
            guard firstFields.count == 4 else {
                throw .malformed(file: file, line: 1,
                                 problem: "expected 4 fields (userId,movieId,rating,timestamp), found \(firstFields.count)")
            }
            guard firstFields == MovieLens.ratingsHeader else {
                throw .malformed(file: file, line: 1,
                                 problem: "header must be userId,movieId,rating,timestamp; found \(firstFields.joined(separator: ","))")
            }
            return Resolved(width: 4, user: 0, item: 1, rating: 2, timestamp: 3, movieLens: true,
                            userLabel: "userId", itemLabel: "movieId",
                            fieldsMessage: "(userId,movieId,rating,timestamp)")
        }
        let width = firstFields.count
        // Without --columns: user, item, then rating and timestamp when the file has them.
        let columns = layout.columns ?? RatingsLayout.Columns(user: .position(1), item: .position(2),
                                                               rating: width >= 3 ? .position(3) : nil,
                                                               timestamp: width >= 4 ? .position(4) : nil)
        func index(_ column: RatingsLayout.Column, _ role: String) throws(DataIOError) -> Int {
            switch column {
            case let .position(k):
                guard k <= width else {
                    throw .malformed(file: file, line: 1,
                                     problem: "the \(role) is in column \(k), but line 1 has \(width) field\(width == 1 ? "" : "s")")
                }
                return k - 1
            case let .name(name):
                guard layout.hasHeader else {
                    throw .invalidContent(file: file, problem: "the \(role) column is named \"\(name)\", but the file has no header line; give its position (1, 2, …)")
                }
                let matches = firstFields.indices.filter { firstFields[$0] == name }
                guard matches.count == 1 else {
                    throw .malformed(file: file, line: 1, problem: matches.isEmpty
                        ? "no column named \"\(name)\" (for the \(role)) in the header \(firstFields.joined(separator: ","))"
                        : "the header names \"\(name)\" \(matches.count) times")
                }
                return matches[0]
            }
        }
        let user = try index(columns.user, "user")
        let item = try index(columns.item, "item")
        let rating = try columns.rating.map { (c) throws(DataIOError) in try index(c, "rating") }
        let timestamp = try columns.timestamp.map { (c) throws(DataIOError) in try index(c, "timestamp") }
        let used = [user, item] + [rating, timestamp].compactMap { $0 }
        guard Set(used).count == used.count else {
            throw .invalidContent(file: file, problem: "two roles share one column (--columns)")
        }
        return Resolved(width: width, user: user, item: item, rating: rating, timestamp: timestamp, movieLens: false,
                        userLabel: "user id", itemLabel: "item id", fieldsMessage: "")
    }

    // MARK: - Building S

    /// MovieLens: integer ids, rows in ascending id order.
    static func buildNumeric(_ slots: UnsafeMutableBufferPointer<ChunkResult>, rows: Int) -> Result {
        let users = IDCompactor(chunks: slots.map(\.users))
        let items = IDCompactor(chunks: slots.map(\.items))
        let shared = SharedPointer(slots)
        DispatchQueue.concurrentPerform(iterations: slots.count) { k in
            let slot = shared.value.baseAddress! + k
            slot.pointee.users.withUnsafeMutableBufferPointer { u in for r in u.indices { u[r] = users.index(of: u[r]) } }
            slot.pointee.items.withUnsafeMutableBufferPointer { i in for r in i.indices { i[r] = items.index(of: i[r]) } }
        }
        let matrix = csr(slots, users: users.ids.count, items: items.ids.count)
        return Result(matrix: matrix, userIDs: users.ids, itemIDs: items.ids, userKeys: nil, itemKeys: nil, rowCount: rows,
                      hasRating: true)
    }

    /// Custom layout: tokens interned per chunk, merged in chunk order (global first-seen order),
    /// then renumbered in ascending numeric order when every token is a plain integer.
    static func buildTokens(_ p: UnsafeBufferPointer<UInt8>, _ slots: UnsafeMutableBufferPointer<ChunkResult>, rows: Int,
                            hasRating: Bool) -> Result {
        let users = mergeTokens(p, slots.map(\.userTokens))
        let items = mergeTokens(p, slots.map(\.itemTokens))
        let shared = SharedPointer(slots)
        let (userMaps, itemMaps) = (users.maps, items.maps)
        DispatchQueue.concurrentPerform(iterations: slots.count) { k in
            let slot = shared.value.baseAddress! + k
            let um = userMaps[k], im = itemMaps[k]
            slot.pointee.users.withUnsafeMutableBufferPointer { u in for r in u.indices { u[r] = um[u[r]] } }
            slot.pointee.items.withUnsafeMutableBufferPointer { i in for r in i.indices { i[r] = im[i[r]] } }
        }
        let matrix = csr(slots, users: users.ids.count, items: items.ids.count)
        return Result(matrix: matrix, userIDs: users.ids, itemIDs: items.ids, userKeys: users.keys, itemKeys: items.keys,
                      rowCount: rows, hasRating: hasRating)
    }

    /// Tables of tokens (bytes of `p`) merged in order, so indices follow the global first-seen
    /// order; then renumbered in ascending numeric order when every token is a plain integer
    /// (`keys` nil), else kept in first-seen order with the tokens as keys. `maps[t][k]` is the
    /// final index of token k of table t.
    static func mergeTokens(_ p: UnsafeBufferPointer<UInt8>, _ tables: [TokenTable]) -> (maps: [[Int]], ids: [Int], keys: [String]?) {
        var global = TokenTable(p, capacity: tables.map(\.count).max() ?? 16)
        var maps: [[Int]] = []
        for t in tables {
            maps.append((0..<t.count).map { global.intern(t.starts[$0], t.ends[$0]) })
        }
        var numbers: [Int] = []
        numbers.reserveCapacity(global.count)
        for k in 0..<global.count {
            guard let v = plainInteger(p, global.starts[k], global.ends[k]) else { break }
            numbers.append(v)
        }
        if numbers.count == global.count {
            let order = (0..<numbers.count).sorted { numbers[$0] < numbers[$1] }
            var rank = [Int](repeating: 0, count: order.count)
            for (r, k) in order.enumerated() { rank[k] = r }
            return (maps.map { $0.map { rank[$0] } }, order.map { numbers[$0] }, nil)
        }
        let keys = (0..<global.count).map {
            String(decoding: UnsafeBufferPointer(rebasing: p[global.starts[$0]..<global.ends[$0]]), as: UTF8.self)
        }
        return (maps, Array(0..<global.count), keys)
    }

    /// `0` or a non-zero digit followed by digits (at most 18), else nil.
    static func plainInteger(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        let length = end - start
        guard length >= 1, length <= 18 else { return nil }
        if length > 1, p[start] == ASCII.zero { return nil }
        var v = 0
        for j in start..<end {
            let d = Int(p[j]) &- 48
            guard d >= 0, d <= 9 else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// CSR from (user index, item index, liked) rows: counting sort on users, then each row's
    /// items sorted and de-duplicated (in parallel over row blocks), then compacted.
    static func csr(_ slots: UnsafeMutableBufferPointer<ChunkResult>, users rowCount: Int, items columnCount: Int) -> SparseMatrix {
        var counts = [Int](repeating: 0, count: rowCount + 1)
        for slot in slots {
            for r in 0..<slot.users.count where slot.liked.isEmpty || slot.liked[r] { counts[slot.users[r] + 1] += 1 }
        }
        for r in 0..<rowCount { counts[r + 1] += counts[r] }
        var next = counts
        var columns = [Int32](repeating: 0, count: counts[rowCount])
        for slot in slots {
            for r in 0..<slot.users.count where slot.liked.isEmpty || slot.liked[r] {
                let u = slot.users[r]
                columns[next[u]] = Int32(slot.items[r])
                next[u] += 1
            }
        }
        var unique = [Int](repeating: 0, count: rowCount)
        let blocks = min(rowCount, 8 * ProcessInfoCores.count)
        columns.withUnsafeMutableBufferPointer { cols in
            unique.withUnsafeMutableBufferPointer { uniq in
                let (c, q, pointers) = (SharedPointer(cols), SharedPointer(uniq), counts)
                DispatchQueue.concurrentPerform(iterations: max(blocks, 1)) { b in
                    for row in (b * rowCount / blocks)..<((b + 1) * rowCount / blocks) {
                        var segment = UnsafeMutableBufferPointer(rebasing: c.value[pointers[row]..<pointers[row + 1]])
                        segment.sort()
                        var w = 0
                        for k in 0..<segment.count where k == 0 || segment[k] != segment[k - 1] {
                            segment[w] = segment[k]
                            w += 1
                        }
                        q.value[row] = w
                    }
                }
            }
        }
        var pointers = [Int](repeating: 0, count: rowCount + 1)
        var write = 0
        for row in 0..<rowCount {
            let from = counts[row]
            if write != from {
                for k in 0..<unique[row] { columns[write + k] = columns[from + k] }
            }
            write += unique[row]
            pointers[row + 1] = write
        }
        columns.removeLast(columns.count - write)
        let values = [Double](repeating: 1, count: write)
        // The arrays satisfy the CSR invariants by construction.
        return try! SparseMatrix(rows: rowCount, columns: columnCount, rowPointers: pointers, columnIndices: columns, values: values)
    }
}

/// Lets workers write their own slot of a buffer the caller owns.
/// What one chunk yields. Ids are the integers (MovieLens) or token indices into the chunk's
/// tables (custom). `liked` is empty when the layout has no rating (every row is a like).
struct ChunkResult {
    var users: [Int] = []
    var items: [Int] = []
    var liked: [Bool] = []
    var lines = 0
    var failure: (line: Int, problem: String)?
    var userTokens = TokenTable()
    var itemTokens = TokenTable()
}

/// The per-chunk parse, shared read-only by all workers.
struct ChunkJob: @unchecked Sendable {
    let p: UnsafeBufferPointer<UInt8>
    let file: String
    let resolved: RatingsReader.Resolved
    let separator: RatingsLayout.Separator
    let likeThreshold: Double
    let bounds: [Int]
    let slots: UnsafeMutableBufferPointer<ChunkResult>
    /// Where the file ends in `p`'s indices (`Int.max` when `p` is a byte range before the end).
    let fileEnd: Int

    func run(_ k: Int) {
        var out = ChunkResult()
        let start = bounds[k], end = bounds[k + 1]
        let estimate = (end - start) / 20 + 16
        out.users.reserveCapacity(estimate)
        out.items.reserveCapacity(estimate)
        if resolved.rating != nil { out.liked.reserveCapacity(estimate) }
        if !resolved.movieLens {
            out.userTokens = TokenTable(p, capacity: 1024)
            out.itemTokens = TokenTable(p, capacity: 1024)
        }
        let width = resolved.width
        let fieldStarts = UnsafeMutablePointer<Int>.allocate(capacity: width + 1)
        let fieldEnds = UnsafeMutablePointer<Int>.allocate(capacity: width + 1)
        defer { fieldStarts.deallocate(); fieldEnds.deallocate() }
        out.failure = parse(start, end, &out, fieldStarts, fieldEnds)
        slots[k] = out
    }

    /// Parses lines in `start..<end`; returns the first problem (line within the chunk).
    private func parse(_ start: Int, _ end: Int, _ out: inout ChunkResult,
                       _ fs: UnsafeMutablePointer<Int>, _ fe: UnsafeMutablePointer<Int>) -> (line: Int, problem: String)? {
        let n = fileEnd
        let width = resolved.width
        var i = start
        var line = 0
        while i < end {
            line += 1
            // Field boundaries in one scan to the line end; only the first width + 1 are kept.
            var fields = 0
            var j = i
            switch separator {
            case let .byte(sep):
                fs[0] = i
                fields = 1
                while j < end {
                    let b = p[j]
                    if b == ASCII.lf { break }
                    if b == sep {
                        if fields <= width { fe[fields - 1] = j; fs[fields] = j + 1 }
                        fields += 1
                    }
                    j += 1
                }
                var e = j
                if e > i, p[e - 1] == ASCII.cr { e -= 1 }
                if fields <= width + 1 { fe[fields - 1] = e }
                if e == i { fields = 0 }
            case .whitespace:
                while j < end, p[j] != ASCII.lf {
                    let b = p[j]
                    if b == ASCII.space || b == ASCII.tab || b == ASCII.cr { j += 1; continue }
                    let s = j
                    while j < end, p[j] != ASCII.lf, p[j] != ASCII.space, p[j] != ASCII.tab, p[j] != ASCII.cr { j += 1 }
                    if fields <= width { fs[fields] = s; fe[fields] = j }
                    fields += 1
                }
            }
            let next = j + 1
            if fields == 0 {
                // An empty line is fine only as the very end of the file.
                if next >= n { break }
                return (line, "empty line")
            }
            guard fields == width else {
                return (line, "expected \(width) fields\(resolved.fieldsMessage.isEmpty ? "" : " " + resolved.fieldsMessage), found \(fields)")
            }
            let (us, ue, isb, ie) = (fs[resolved.user], fe[resolved.user], fs[resolved.item], fe[resolved.item])
            var rating = 0.0
            if resolved.movieLens {
                guard let user = ByteNumber.parseInt(p, us, ue) else {
                    return (line, "userId \(TextFormat.excerpt(p, us, ue)) is not an integer")
                }
                guard let item = ByteNumber.parseInt(p, isb, ie) else {
                    return (line, "movieId \(TextFormat.excerpt(p, isb, ie)) is not an integer")
                }
                guard let r = ByteNumber.parseDouble(p, fs[2], fe[2]) else {
                    return (line, "rating \(TextFormat.excerpt(p, fs[2], fe[2])) is not a number")
                }
                guard ByteNumber.parseInt(p, fs[3], fe[3]) != nil else {
                    return (line, "timestamp \(TextFormat.excerpt(p, fs[3], fe[3])) is not an integer")
                }
                guard user >= 0 else { return (line, "userId \(user) is negative") }
                guard item >= 0 else { return (line, "movieId \(item) is negative") }
                guard r.isFinite else { return (line, "rating \(r) is not a finite number") }
                out.users.append(user)
                out.items.append(item)
                rating = r
            } else {
                guard ue > us else { return (line, "the user id is empty") }
                guard ie > isb else { return (line, "the item id is empty") }
                if let rc = resolved.rating {
                    guard let r = ByteNumber.parseDouble(p, fs[rc], fe[rc]) else {
                        return (line, "rating \(TextFormat.excerpt(p, fs[rc], fe[rc])) is not a number")
                    }
                    guard r.isFinite else { return (line, "rating \(r) is not a finite number") }
                    rating = r
                }
                if let tc = resolved.timestamp, ByteNumber.parseInt(p, fs[tc], fe[tc]) == nil {
                    return (line, "timestamp \(TextFormat.excerpt(p, fs[tc], fe[tc])) is not an integer")
                }
                out.users.append(out.userTokens.intern(us, ue))
                out.items.append(out.itemTokens.intern(isb, ie))
            }
            if resolved.rating != nil { out.liked.append(rating >= likeThreshold) }
            i = next
        }
        out.lines = line
        return nil
    }
}

/// Byte-range tokens of one buffer, numbered in first-seen order; open addressing keyed by the
/// bytes themselves, so interning a token allocates nothing.
struct TokenTable {
    private var base: UnsafePointer<UInt8>?
    private(set) var starts: [Int] = []
    private(set) var ends: [Int] = []
    private var slots: [Int32] = []   // token index + 1, 0 = empty
    private var hashes: [UInt64] = []
    private var mask = 0

    init() {}

    init(_ p: UnsafeBufferPointer<UInt8>, capacity: Int) {
        base = p.baseAddress
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { starts.count }

    @inline(__always)
    static func hash(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for j in start..<end { h = (h ^ UInt64(b[j])) &* 0x0000_0100_0000_01B3 }
        return h ^ (h >> 29)
    }

    /// The token's index, adding it if new.
    mutating func intern(_ start: Int, _ end: Int) -> Int {
        let b = base!
        let h = Self.hash(b, start, end)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            let k = entry - 1
            if hashes[k] == h, ends[k] - starts[k] == end - start,
               memcmp(b + starts[k], b + start, end - start) == 0 {
                return k
            }
            slot = (slot + 1) & mask
        }
        let k = starts.count
        starts.append(start)
        ends.append(end)
        hashes.append(h)
        slots[slot] = Int32(k + 1)
        if 2 * starts.count > slots.count { grow() }
        return k
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for k in 0..<starts.count {
            var slot = Int(truncatingIfNeeded: hashes[k]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(k + 1)
        }
    }
}
