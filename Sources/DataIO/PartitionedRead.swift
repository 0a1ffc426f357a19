import Foundation
import LinearAlgebra

/// The collectives a partitioned read needs from a group of readers: MPI ranks (the `Distributed`
/// module) or, in tests, threads. Same model as `Solvers.Communicator`: every member makes the
/// same calls in the same order, and each returns when all members have made it. Integers are
/// exact under any summation order, so no ordering promise is needed here.
public protocol ReadGroup: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Every member's `local`, concatenated in rank order, with each member's count.
    func allgather(_ local: [Int64]) throws -> (values: [Int64], counts: [Int])
    /// Every member's bytes, concatenated in rank order, with each member's count.
    func allgather(bytes local: [UInt8]) throws -> (values: [UInt8], counts: [Int])
    /// Element-wise sum over members (equal lengths).
    func allreduceSum(_ values: inout [Int64]) throws
    /// Personalised exchange: `send` holds `sendCounts[r]` values for member r, in rank order;
    /// returns what every member sent to this one, concatenated in source rank order.
    func exchange(_ send: [Int64], sendCounts: [Int]) throws -> [Int64]
}

/// Moving liked (user, item) pairs to the member that owns the item.
enum LikeExchange {
    /// Largest number of pairs one member sends in one round of the exchange (8 bytes each): the
    /// send and receive buffers of a round stay below 128 MB whatever the input's size.
    static let defaultPieceLength = 1 << 24

    /// Likes spread over the group in any way (each member some pairs, duplicates anywhere) →
    /// every member holds exactly the de-duplicated likes of its item block, as a users × items
    /// CSR with sorted rows (values 1). Blocks: `blockBounds` of the de-duplicated per-item like
    /// counts, as one process computes them from its S.
    ///
    /// One exchange when the blocks from the raw counts (duplicates included) equal the final
    /// ones — always when the input has no duplicate likes; else a second exchange moves the
    /// pairs whose owner changed.
    static func distribute(users: [Int], items: [Int], userCount: Int, itemCount: Int, group: any ReadGroup,
                           blockBounds: ([Int]) -> [Int], pieceLength: Int = defaultPieceLength) throws
        -> (matrix: SparseMatrix, bounds: [Int], itemLikes: [Int]) {
        var raw = [Int64](repeating: 0, count: itemCount)
        for i in items { raw[i] += 1 }
        try group.allreduceSum(&raw)
        let provisional = checkedBounds(blockBounds(raw.map(Int.init)), group: group, itemCount: itemCount)
        var received = try send(users: users, items: items, to: provisional, itemCount: itemCount, group: group,
                                pieceLength: pieceLength)
        var block = csr(received, userCount: userCount, itemCount: itemCount)
        received = ([], [])
        var counts = [Int64](repeating: 0, count: itemCount)
        for c in block.columnIndices { counts[Int(c)] += 1 }
        try group.allreduceSum(&counts)
        let itemLikes = counts.map(Int.init)
        let bounds = checkedBounds(blockBounds(itemLikes), group: group, itemCount: itemCount)
        if bounds != provisional {
            var u: [Int] = [], i: [Int] = []
            u.reserveCapacity(block.nonzeroCount)
            i.reserveCapacity(block.nonzeroCount)
            for r in 0..<block.rows {
                for k in block.rowPointers[r]..<block.rowPointers[r + 1] { u.append(r); i.append(Int(block.columnIndices[k])) }
            }
            block = csr(try send(users: u, items: i, to: bounds, itemCount: itemCount, group: group, pieceLength: pieceLength),
                        userCount: userCount, itemCount: itemCount)
        }
        return (block, bounds, itemLikes)
    }

    private static func checkedBounds(_ b: [Int], group: any ReadGroup, itemCount: Int) -> [Int] {
        precondition(b.count == group.size + 1 && b.first == 0 && b.last == itemCount, "block bounds \(b) for \(group.size) members and \(itemCount) items")
        return b
    }

    /// Owner of item i: the r with bounds[r] ≤ i < bounds[r + 1] (the last such r when empty blocks share a bound).
    static func owner(_ i: Int, _ bounds: [Int]) -> Int {
        var lo = 0, hi = bounds.count - 2
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if bounds[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Sends every pair to its item's owner; returns the pairs this member received. Each pair
    /// travels as one Int64, user · M + item. Rounds of at most `pieceLength` pairs per member.
    static func send(users: [Int], items: [Int], to bounds: [Int], itemCount: Int, group: any ReadGroup,
                     pieceLength: Int) throws -> (users: [Int], items: [Int]) {
        let size = group.size
        var perDestination = [Int](repeating: 0, count: size)
        var destination = [Int32](repeating: 0, count: items.count)
        for k in items.indices {
            let d = owner(items[k], bounds)
            destination[k] = Int32(d)
            perDestination[d] += 1
        }
        var starts = [Int](repeating: 0, count: size + 1)
        for d in 0..<size { starts[d + 1] = starts[d] + perDestination[d] }
        var packed = [Int64](repeating: 0, count: items.count)
        var next = starts
        let m = Int64(itemCount)
        for k in items.indices {
            let d = Int(destination[k])
            packed[next[d]] = Int64(users[k]) * m + Int64(items[k])
            next[d] += 1
        }
        destination = []
        // Every member takes part in every round: the round count is the largest over members.
        let share = max(1, pieceLength / size)
        let ownRounds = perDestination.map { ($0 + share - 1) / share }.max() ?? 0
        let rounds = Int(try group.allgather([Int64(ownRounds)]).values.max() ?? 0)
        var outUsers: [Int] = [], outItems: [Int] = []
        for round in 0..<rounds {
            var piece: [Int64] = []
            var counts = [Int](repeating: 0, count: size)
            for d in 0..<size {
                let from = starts[d] + min(perDestination[d], round * share)
                let to = starts[d] + min(perDestination[d], (round + 1) * share)
                piece.append(contentsOf: packed[from..<to])
                counts[d] = to - from
            }
            let got = try group.exchange(piece, sendCounts: counts)
            for key in got {
                outUsers.append(Int(key / m))
                outItems.append(Int(key % m))
            }
        }
        return (outUsers, outItems)
    }

    /// The de-duplicating CSR build of the ratings reader, on received pairs.
    static func csr(_ pairs: (users: [Int], items: [Int]), userCount: Int, itemCount: Int) -> SparseMatrix {
        var slot = ChunkResult()
        slot.users = pairs.users
        slot.items = pairs.items
        return withUnsafeMutablePointer(to: &slot) { p in
            RatingsReader.csr(UnsafeMutableBufferPointer(start: p, count: 1), users: userCount, items: itemCount)
        }
    }
}
