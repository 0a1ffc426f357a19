import Foundation
import LinearAlgebra

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ratings file read by a group of members (MPI ranks), each parsing one byte range and ending
/// with only its item block of S — the same block, ids, titles and like counts as `RatingsFile.load`
/// of the whole file followed by `ItemDistribution.localBlock`, and the same error messages.
///
/// 1. Every member reads line 1 (header or first row: it fixes the columns) and the file size n.
///    Member r parses the lines that start in [r·n/P, (r+1)·n/P) (cut just after line feeds, never
///    before the data start) with the ratings reader's parallel chunk parser.
/// 2. One allgather of (status, lines, rows): the first member with a problem holds the file's
///    first problem; its line number adds the line counts of the ranges before it, its text is
///    allgathered, and every member throws that one error.
/// 3. Ids: each member's distinct ids are allgathered (integers: sorted union; tokens: merged in
///    member order, which is the file's first-seen order), so every member numbers users and items
///    exactly as one process does.
/// 4. Likes move to their item's owner (`LikeExchange.distribute`): per-item counts by
///    allreduce, blocks by `blockBounds`, pairs de-duplicated at the owner.
public enum PartitionedRatings {
    /// `pieceLength`: most likes a member sends in one round of the exchange (8 bytes each).
    public static func read(_ url: URL, layout: RatingsLayout = .movieLens, likeThreshold: Double = 4.0, titles: URL? = nil,
                            group: any ReadGroup, blockBounds: ([Int]) -> [Int],
                            pieceLength: Int = 1 << 24) throws -> InteractionsBlock {
        let file = url.path
        guard likeThreshold.isFinite else {
            throw DataIOError.invalidContent(file: file, problem: "like threshold \(likeThreshold) is not a finite number")
        }
        let rank = group.rank, size = group.size

        // 1. The own byte range, parsed; a local problem is held until every member has reported.
        var range: [UInt8] = []
        var parsed: UnsafeMutableBufferPointer<ChunkResult>?
        defer { if let parsed { parsed.deinitialize(); parsed.deallocate() } }
        var resolved: RatingsReader.Resolved?
        var firstLine = 1
        var localError: (any Error)?
        var status: [Int64] = [0, 0, 0]   // kind (0 ok, 1 malformed line, 2 other), lines or failing line, rows
        var problem = ""
        do {
            let input = try FileRange(url)
            defer { input.close() }
            let headBytes = try input.head()
            let head = try headBytes.withUnsafeBufferPointer { p in try RatingsReader.head(p, file: file, layout: layout) }
            resolved = head.resolved
            firstLine = head.firstLine
            let start = try input.lineStart(atOrAfter: max(head.dataStart, rank * input.size / size), dataStart: head.dataStart)
            let end = rank == size - 1 ? input.size
                : try input.lineStart(atOrAfter: max(head.dataStart, (rank + 1) * input.size / size), dataStart: head.dataStart)
            range = try input.bytes(start..<max(start, end))
            let slots = range.withUnsafeBufferPointer { p in
                RatingsReader.parseChunks(p, from: 0, file: file, resolved: head.resolved, layout: layout,
                                          likeThreshold: likeThreshold, endsFile: end >= input.size)
            }
            parsed = slots
            var lines = 0, rows = 0
            for slot in slots {
                if let failure = slot.failure {
                    status = [1, Int64(lines + failure.line), 0]
                    problem = failure.problem
                    break
                }
                lines += slot.lines
                rows += slot.users.count
            }
            if status[0] == 0 { status = [0, Int64(lines), Int64(rows)] }
        } catch {
            localError = error
            status = [2, 0, 0]
        }

        // 2. Agree: the first member with a problem holds the file's first problem.
        let all = try group.allgather(status).values
        if let failing = (0..<size).first(where: { all[3 * $0] != 0 }) {
            guard all[3 * failing] == 1 else {
                if rank == failing, let localError { throw localError }
                throw PeerReadFailure(rank: failing)
            }
            let text = try group.allgather(bytes: rank == failing ? Array(problem.utf8) : []).values
            let linesBefore = (0..<failing).reduce(firstLine - 1) { $0 + Int(all[3 * $1 + 1]) }
            throw DataIOError.malformed(file: file, line: linesBefore + Int(all[3 * failing + 1]),
                                        problem: String(decoding: text, as: UTF8.self))
        }
        let ratingCount = (0..<size).reduce(0) { $0 + Int(all[3 * $1 + 2]) }
        guard ratingCount > 0 else {
            throw DataIOError.invalidContent(file: file, problem: layout.hasHeader ? "no rating rows after the header" : "no rating rows")
        }
        let slots = parsed!, columns = resolved!

        // 3. Global ids, the local rows renumbered to them.
        let ids: (users: [Int], items: [Int], userKeys: [String]?, itemKeys: [String]?)
        if columns.movieLens {
            let users = try numericIDs(slots.map(\.users), group: group)
            let items = try numericIDs(slots.map(\.items), group: group)
            for k in slots.indices {
                slots[k].users.withUnsafeMutableBufferPointer { u in for r in u.indices { u[r] = users.index(of: u[r]) } }
                slots[k].items.withUnsafeMutableBufferPointer { i in for r in i.indices { i[r] = items.index(of: i[r]) } }
            }
            ids = (users.ids, items.ids, nil, nil)
        } else {
            let users = try range.withUnsafeBufferPointer { p in try tokenIDs(p, slots.map(\.userTokens), group: group) }
            let items = try range.withUnsafeBufferPointer { p in try tokenIDs(p, slots.map(\.itemTokens), group: group) }
            for k in slots.indices {
                let um = users.maps[k], im = items.maps[k]
                slots[k].users.withUnsafeMutableBufferPointer { u in for r in u.indices { u[r] = um[u[r]] } }
                slots[k].items.withUnsafeMutableBufferPointer { i in for r in i.indices { i[r] = im[i[r]] } }
                slots[k].userTokens = TokenTable()
                slots[k].itemTokens = TokenTable()
            }
            ids = (users.ids, items.ids, users.keys, items.keys)
        }
        range = []

        // 4. Likes to their owners.
        var likedUsers: [Int] = [], likedItems: [Int] = []
        for k in slots.indices {
            let slot = slots[k]
            for r in 0..<slot.users.count where slot.liked.isEmpty || slot.liked[r] {
                likedUsers.append(slot.users[r])
                likedItems.append(slot.items[r])
            }
            slots[k] = ChunkResult()
        }
        let block = try LikeExchange.distribute(users: likedUsers, items: likedItems, userCount: ids.users.count,
                                                itemCount: ids.items.count, group: group, blockBounds: blockBounds,
                                                pieceLength: pieceLength)

        // Titles as one process reads them (every member: M strings, identical errors everywhere).
        let names = try TitleFile.titles(ofRatings: url, layout: layout, titles: titles, header: nil,
                                         itemIDs: ids.items, itemKeys: ids.itemKeys)
        return InteractionsBlock(matrix: block.matrix, bounds: block.bounds, itemIDs: ids.items, itemKeys: ids.itemKeys,
                                 titles: names, itemLikes: block.itemLikes, ratingCount: ratingCount,
                                 likeThreshold: columns.rating != nil ? likeThreshold : 1, source: file)
    }

    /// The sorted union of every member's integer ids.
    static func numericIDs(_ chunks: [[Int]], group: any ReadGroup) throws -> IDCompactor {
        let local = IDCompactor(chunks: chunks).ids.map(Int64.init)
        return IDCompactor(try group.allgather(local).values.map(Int.init))
    }

    /// Every member's tokens in member order → global numbering (`RatingsReader.mergeTokens`);
    /// `maps[k][t]`: the global index of token t of this member's chunk k.
    static func tokenIDs(_ p: UnsafeBufferPointer<UInt8>, _ tables: [TokenTable], group: any ReadGroup) throws
        -> (maps: [[Int]], ids: [Int], keys: [String]?) {
        var local = TokenTable(p, capacity: tables.map(\.count).max() ?? 16)
        let chunkMaps = tables.map { t in (0..<t.count).map { local.intern(t.starts[$0], t.ends[$0]) } }
        var bytes: [UInt8] = [], lengths: [Int64] = []
        for k in 0..<local.count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[local.starts[k]..<local.ends[k]]))
            lengths.append(Int64(local.ends[k] - local.starts[k]))
        }
        let allBytes = try group.allgather(bytes: bytes).values
        let allLengths = try group.allgather(lengths)
        return allBytes.withUnsafeBufferPointer { gp in
            var tablesByMember: [TokenTable] = []
            var offset = 0, t = 0
            for count in allLengths.counts {
                var table = TokenTable(gp, capacity: count)
                for _ in 0..<count {
                    let length = Int(allLengths.values[t])
                    _ = table.intern(offset, offset + length)
                    offset += length
                    t += 1
                }
                tablesByMember.append(table)
            }
            let merged = RatingsReader.mergeTokens(gp, tablesByMember)
            let own = merged.maps[group.rank]
            return (chunkMaps.map { $0.map { own[$0] } }, merged.ids, merged.keys)
        }
    }
}

/// Positioned reads of one file (no member reads more than its range plus a line).
struct FileRange {
    let path: String
    let fd: Int32
    let size: Int

    init(_ url: URL) throws(DataIOError) {
        path = url.path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw .unreadable(file: path, reason: reason)
        }
        guard (st.st_mode & S_IFMT) != S_IFDIR else { Glibc.close(fd); throw .unreadable(file: path, reason: "is a directory") }
        size = max(0, Int(st.st_size))
    }

    func close() { Glibc.close(fd) }

    /// Bytes `range` of the file (fewer only if the file shrank meanwhile: then an error).
    func bytes(_ range: Range<Int>) throws(DataIOError) -> [UInt8] {
        var failure: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            while count < buffer.count {
                let n = pread(fd, buffer.baseAddress! + count, buffer.count - count, off_t(range.lowerBound + count))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                count += n
            }
        }
        guard failure == 0 else { throw .unreadable(file: path, reason: String(cString: strerror(failure))) }
        guard out.count == range.count else { throw .unreadable(file: path, reason: "the file became shorter while it was read") }
        return out
    }

    /// The file's start through its first line feed (the whole file when it has none).
    func head() throws(DataIOError) -> [UInt8] {
        var out: [UInt8] = []
        var at = 0
        while at < size {
            let piece = try bytes(at..<min(size, at + (1 << 16)))
            if let lf = piece.firstIndex(of: ASCII.lf) {
                out.append(contentsOf: piece[...lf])
                return out
            }
            out.append(contentsOf: piece)
            at += piece.count
        }
        return out
    }

    /// The first line start at or after `position` (`dataStart` itself, or just after a line
    /// feed); the file size when no line starts there.
    func lineStart(atOrAfter position: Int, dataStart: Int) throws(DataIOError) -> Int {
        if position <= dataStart { return dataStart }
        var at = position - 1
        while at < size {
            let piece = try bytes(at..<min(size, at + (1 << 16)))
            if let lf = piece.firstIndex(of: ASCII.lf) { return at + lf + 1 }
            at += piece.count
        }
        return size
    }
}
