import Foundation
import LinearAlgebra

/// An interaction matrix file (`.mtx`, `.npz`) read by a group of members, each ending with S for
/// its item block (blocks and exchange as in `PartitionedRatings`), with the messages
/// `InteractionFile.load` gives for the same file.
///
/// - `.mtx`: every member reads the banner and size line; member r parses the entry lines that
///   start in its byte range of the rest (the Matrix Market reader's own line checks). The first
///   problem in file order is found from the members' line and entry counts (an entry beyond the
///   declared count is a problem too), and reported by every member with its line.
/// - `.npz`: see `PartitionedNPZ`.
public enum PartitionedInteractionFile {
    public static func read(_ url: URL, likeThreshold: Double?, group: any ReadGroup, blockBounds: ([Int]) -> [Int],
                            pieceLength: Int = 1 << 24) throws -> InteractionsBlock {
        let file = url.path
        if let likeThreshold, !likeThreshold.isFinite {
            throw DataIOError.invalidContent(file: file, problem: "like threshold \(likeThreshold) is not a finite number")
        }
        let share: Share
        switch url.pathExtension.lowercased() {
        case "mtx": share = try matrixMarketShare(url, likeThreshold: likeThreshold, group: group)
        case "npz": share = try PartitionedNPZ.share(url, likeThreshold: likeThreshold, group: group)
        default:
            throw DataIOError.invalidContent(file: file, problem: "interaction matrices must be SciPy sparse .npz or Matrix Market coordinate .mtx files, not '.\(url.pathExtension)'")
        }
        guard share.rows > 0, share.columns > 0 else {
            throw DataIOError.invalidContent(file: file, problem: "interaction matrix is empty (\(share.rows)×\(share.columns))")
        }
        let block = try LikeExchange.distribute(users: share.users, items: share.items, userCount: share.rows,
                                                itemCount: share.columns, group: group, blockBounds: blockBounds,
                                                pieceLength: pieceLength)
        let base = url.pathExtension.lowercased() == "mtx" ? 1 : 0
        return InteractionsBlock(matrix: block.matrix, bounds: block.bounds, itemIDs: Array(base..<(base + share.columns)),
                                 itemKeys: nil, titles: nil, itemLikes: block.itemLikes, ratingCount: share.entries,
                                 likeThreshold: likeThreshold ?? 1, source: file)
    }

    /// A member's part of the likes before the exchange (any split of the file's entries).
    struct Share {
        var rows: Int
        var columns: Int
        /// Entries in the whole file.
        var entries: Int
        var users: [Int] = []
        var items: [Int] = []
    }

    static func matrixMarketShare(_ url: URL, likeThreshold: Double?, group: any ReadGroup) throws -> Share {
        let file = url.path
        let rank = group.rank, size = group.size
        var pre: MatrixMarket.Preamble?
        var range: [UInt8] = []
        var share = Share(rows: 0, columns: 0, entries: 0)
        var localError: (any Error)?
        // kind (0 ok, 1 malformed line, 2 other), lines (or the failing line), entry lines seen
        // (through a failing entry line whose field count was right: the declared count is checked first)
        var status: [Int64] = [0, 0, 0]
        var problem = ""
        do {
            let input = try FileRange(url)
            defer { input.close() }
            let head = try input.matrixMarketHead()
            let preamble = try head.withUnsafeBufferPointer { p in
                var lines = LineScanner(p)
                return try MatrixMarket.preamble(p, &lines, file: file, readers: size)
            }
            pre = preamble
            guard preamble.header.format == .coordinate else {
                throw DataIOError.invalidContent(file: file, problem: "interaction matrices must be 'coordinate' Matrix Market files, not 'array'")
            }
            let dataStart = min(preamble.dataStart, input.size)
            let start = try input.lineStart(atOrAfter: max(dataStart, rank * input.size / size), dataStart: dataStart)
            let end = rank == size - 1 ? input.size
                : try input.lineStart(atOrAfter: max(dataStart, (rank + 1) * input.size / size), dataStart: dataStart)
            range = try input.bytes(start..<max(start, end))
            share = Share(rows: preamble.rows, columns: preamble.columns, entries: 0)
            var seen = 0
            var lines = 0
            range.withUnsafeBufferPointer { p in
                var scanner = LineScanner(p)
                while let l = scanner.next() {
                    lines = l.line
                    do throws(DataIOError) {
                        guard let tokens = try MatrixMarket.entryTokens(p, l, preamble, file: file) else { continue }
                        seen += 1
                        let (i, j, v) = try MatrixMarket.entry(p, tokens, line: l.line, preamble, file: file) { v, line throws(DataIOError) in
                            try InteractionFile.like(v, threshold: likeThreshold) { problem throws(DataIOError) in
                                throw .malformed(file: file, line: line, problem: problem)
                            }
                        }
                        if v > 0 {
                            share.users.append(i); share.items.append(j)
                            if preamble.header.symmetry == .symmetric && i != j { share.users.append(j); share.items.append(i) }
                        }
                    } catch {
                        if case let .malformed(_, line, text) = error {
                            status = [1, Int64(line), Int64(seen)]
                            problem = text
                        } else {
                            localError = error
                            status = [2, 0, 0]
                        }
                        return
                    }
                }
                status = [0, Int64(lines), Int64(seen)]
            }
            if let localError { throw localError }
        } catch {
            localError = error
            status = [2, 0, 0]
        }

        // Agree on the first problem in file order.
        let all = try group.allgather(status).values
        if let failing = (0..<size).first(where: { all[3 * $0] == 2 }) {
            if rank == failing, let localError { throw localError }
            throw PeerReadFailure(rank: failing)
        }
        let preamble = pre!
        var linesBefore = preamble.sizeLine, entriesBefore = 0
        for r in 0..<size {
            let (kind, lines, seen) = (all[3 * r], Int(all[3 * r + 1]), Int(all[3 * r + 2]))
            if entriesBefore + seen > preamble.declared {
                // Member r holds the entry line after the last declared one: it finds its line.
                var local: [Int64] = []
                if rank == r {
                    range.withUnsafeBufferPointer { p in
                        var scanner = LineScanner(p)
                        var count = entriesBefore
                        while let l = scanner.next() {
                            if (try? MatrixMarket.entryTokens(p, l, preamble, file: file)) != nil { count += 1 }
                            if count > preamble.declared { local = [Int64(l.line)]; return }
                        }
                    }
                }
                let line = Int(try group.allgather(local).values[0])
                throw DataIOError.malformed(file: file, line: linesBefore + line,
                                            problem: "more entries than the \(preamble.declared) the size line (line \(preamble.sizeLine)) declares")
            }
            if kind == 1 {
                let text = try group.allgather(bytes: rank == r ? Array(problem.utf8) : []).values
                throw DataIOError.malformed(file: file, line: linesBefore + lines, problem: String(decoding: text, as: UTF8.self))
            }
            linesBefore += lines
            entriesBefore += seen
        }
        guard entriesBefore == preamble.declared else {
            throw DataIOError.malformed(file: file, line: linesBefore,
                                        problem: "file ends after \(entriesBefore) of the \(preamble.declared) entries the size line (line \(preamble.sizeLine)) declares")
        }
        share.entries = entriesBefore
        return share
    }
}

extension FileRange {
    /// The file's start through its Matrix Market size line (the first line after the banner that
    /// is neither a comment nor blank), or the whole file when it has none.
    func matrixMarketHead() throws(DataIOError) -> [UInt8] {
        var length = 1 << 16
        while true {
            let head = try bytes(0..<min(size, length))
            if head.count == size { return head }
            let complete = head.withUnsafeBufferPointer { p -> Bool in
                var lines = LineScanner(p)
                guard lines.next() != nil else { return false }
                while let l = lines.next() {
                    if l.start < l.end, p[l.start] == ASCII.percent { continue }
                    if LineScanner.isBlank(p, l.start, l.end) { continue }
                    return lines.position <= p.count   // the size line ended with a line feed inside `head`
                }
                return false
            }
            if complete { return head }
            length *= 2
        }
    }
}
