import LinearAlgebra

/// How many positive pairs one epoch visits.
///
/// A positive pair is an ordered (i, j), i ≠ j, with both items liked by one user: exactly the
/// pairs X = SᵀS counts off the diagonal, so a user with n likes holds n(n − 1) of them.
public enum PairSelection: Sendable, Equatable {
    /// Every ordered pair of every user once per epoch (in user order, then row order of the
    /// likes). Σ_u n_u(n_u − 1) pairs: exact but heavy users dominate the cost.
    case all
    /// round(perLike · nnz(S)) pairs per epoch, allocated to users in proportion to their pair
    /// counts n_u(n_u − 1) (stochastic rounding, so the expected total is exact), each pair drawn
    /// uniformly among the user's ordered pairs with replacement. Every pair in X then has the
    /// same chance per draw, so the sampled objective is an unbiased estimate of the full-epoch
    /// one at a fraction of the cost.
    case sampled(perLike: Double)

    /// Ten pairs per like: about half a million pairs per epoch on ml-latest-small.
    public static let `default` = PairSelection.sampled(perLike: 10)
}

/// One user's share of an epoch.
struct PairTask {
    var user: Int32
    /// Pairs to draw (`sampled`) or, with `all`, the user's n(n − 1).
    var count: Int
}

/// The positive pairs of S and the per-epoch plan that hands them to threads.
struct PairSource: Sendable {
    let users: Int
    let items: Int
    /// Row pointers and liked items of S (the values are ignored: a stored entry is a like).
    let rowPointers: SharedBuffer<Int>
    let likes: SharedBuffer<Int32>
    /// n_u(n_u − 1) per user.
    let pairCounts: [Int]
    /// Σ_u n_u(n_u − 1) = Σ_{i≠j} X_ij for binary S.
    let totalPairs: Int
    let likeCount: Int

    init(_ s: SparseMatrix) throws {
        users = s.rows
        items = s.columns
        rowPointers = SharedBuffer(s.rowPointers)
        likes = SharedBuffer(s.columnIndices)
        pairCounts = (0..<s.rows).map { u in let n = s.rowPointers[u + 1] - s.rowPointers[u]; return n * (n - 1) }
        totalPairs = pairCounts.reduce(0, +)
        likeCount = s.nonzeroCount
        guard totalPairs > 0 else {
            throw ProblemError.invalidOption("no user likes two items: there are no positive pairs to train on")
        }
    }

    /// Expected positive pairs per epoch.
    func pairsPerEpoch(_ selection: PairSelection) -> Double {
        switch selection {
        case .all: return Double(totalPairs)
        case let .sampled(perLike): return (perLike * Double(likeCount)).rounded()
        }
    }

    /// The epoch's tasks in a seeded shuffled user order, split into `parts` contiguous chunks of
    /// nearly equal pair counts (one per thread).
    func plan(_ selection: PairSelection, parts: Int, _ rng: inout SeededGenerator) -> [[PairTask]] {
        var order = (0..<users).filter { pairCounts[$0] > 0 }
        RowKernels.shuffle(&order, &rng)
        var tasks: [PairTask] = []
        tasks.reserveCapacity(order.count)
        var total = 0
        switch selection {
        case .all:
            for u in order { tasks.append(PairTask(user: Int32(u), count: pairCounts[u])) }
            total = totalPairs
        case .sampled:
            let scale = pairsPerEpoch(selection) / Double(totalPairs)
            for u in order {
                let expected = scale * Double(pairCounts[u])
                var n = Int(expected.rounded(.down))
                if rng.nextUniform() < expected - Double(n) { n += 1 }
                if n > 0 { tasks.append(PairTask(user: Int32(u), count: n)); total += n }
            }
        }
        let parts = max(1, parts)
        var chunks = [[PairTask]](repeating: [], count: parts)
        var done = 0, part = 0
        for t in tasks {
            // Move on once this part holds its share of the total.
            while part < parts - 1, done >= (part + 1) * total / parts { part += 1 }
            chunks[part].append(t)
            done += t.count
        }
        return chunks
    }

    /// Visits the pairs of one task: `body(i, j)` for each.
    @inline(__always)
    func forEachPair(_ task: PairTask, selection: PairSelection, _ rng: inout SeededGenerator,
                     _ body: (Int, Int, inout SeededGenerator) -> Void) {
        let u = Int(task.user)
        let start = rowPointers.pointer[u], n = rowPointers.pointer[u + 1] - start
        let row = likes.pointer + start
        switch selection {
        case .all:
            for a in 0..<n {
                let i = Int(row[a])
                for b in 0..<n where b != a { body(i, Int(row[b]), &rng) }
            }
        case .sampled:
            for _ in 0..<task.count {
                let a = RowKernels.uniformInt(n, &rng)
                var b = RowKernels.uniformInt(n - 1, &rng)
                if b >= a { b += 1 }
                body(Int(row[a]), Int(row[b]), &rng)
            }
        }
    }
}
