import LinearAlgebra

/// Hold-out ranking for catalogues too large to score every item for a block of users at once.
///
/// For a block of users, the profiles P (D × B) are formed once; the items are then scored panel
/// by panel (a gemm of `itemPanelSize` item vectors against P, B·panel doubles of scratch) and
/// each user keeps a top-K list under the ranking rule of `RankingEvaluation` (score descending,
/// index ascending, training likes skipped). The held-out item's rank is its position in that
/// list, or K + 1 when it is not in it — all HitRate@K and NDCG@K need. Memory is
/// O(B·(panel + D + K)) instead of O(B·M).
public enum BlockedRanking {
    public static let defaultItemPanelSize = 4096
    public static let defaultUserBlockSize = 256

    /// Above this many user × item scores, `--eval-users` defaults to a sample of `defaultSample` users.
    public static let fullEvaluationLimit = 2_000_000_000
    public static let defaultSample = 10_000

    /// HitRate@K and NDCG@K of an embedding on `heldOut` pairs (e.g. a `sample` of a split's).
    public static func evaluate(_ recommender: EmbeddingRecommender, training: SparseMatrix, heldOut: [HeldOutPair],
                                k: Int = 10, userBlockSize: Int = defaultUserBlockSize,
                                itemPanelSize: Int = defaultItemPanelSize) throws -> QualityReport {
        guard k >= 1 else { throw EvaluationError.invalidArgument("K must be at least 1, got \(k)") }
        guard !heldOut.isEmpty else { throw EvaluationError.noEvaluableUsers }
        let ranks = try cappedRanks(recommender, training: training, heldOut: heldOut, k: k,
                                    userBlockSize: userBlockSize, itemPanelSize: itemPanelSize)
        return QualityReport(method: recommender.name, k: k, ranks: ranks)
    }

    /// min(rank, K + 1) of each held-out item, rank as in `RankingEvaluation.heldOutRanks`.
    public static func cappedRanks(_ recommender: EmbeddingRecommender, training: SparseMatrix, heldOut: [HeldOutPair], k: Int,
                                   userBlockSize: Int = defaultUserBlockSize,
                                   itemPanelSize: Int = defaultItemPanelSize) throws -> [Int] {
        let m = recommender.itemCount, d = recommender.dimension
        guard training.columns == m else {
            throw EvaluationError.shapeMismatch("training has \(training.columns) items, \(recommender.name) scores \(m)")
        }
        guard userBlockSize >= 1, itemPanelSize >= 1, k >= 1 else {
            throw EvaluationError.invalidArgument("user block, item panel and K must be at least 1")
        }
        for p in heldOut {
            guard p.user >= 0, p.user < training.rows, p.item >= 0, p.item < m else {
                throw EvaluationError.shapeMismatch("held-out pair (\(p.user), \(p.item)) outside \(training.rows)×\(m)")
            }
            guard training[p.user, p.item] == 0 else {
                throw EvaluationError.invalidArgument("held-out item \(p.item) of user \(p.user) is still in training")
            }
        }
        let panel = min(itemPanelSize, m)
        var ranks = [Int](repeating: 0, count: heldOut.count)
        var start = 0
        while start < heldOut.count {
            let end = min(heldOut.count, start + userBlockSize)
            let block = Array(heldOut[start..<end])
            let b = block.count
            let profiles = recommender.profiles(for: block.map(\.user), history: training)
            var lists = [TopList](repeating: TopList(capacity: k), count: b)
            var cursor = block.map { training.rowPointers[$0.user] }
            var scratch = [Double](repeating: 0, count: b * panel)
            var badUser: Int?
            for i0 in stride(from: 0, to: m, by: panel) {
                let width = min(panel, m - i0)
                // Row-major (B × width) = Pᵀ (B × D, P column-major) · V[i0..<i0+width, :]ᵀ (D × width,
                // the column-major V read as row-major Vᵀ with leading dimension M).
                profiles.storage.withUnsafeBufferPointer { pp in
                    recommender.vectors.storage.withUnsafeBufferPointer { vp in
                        scratch.withUnsafeMutableBufferPointer { sp in
                            BLAS.gemm(rowMajor: .none, .none, m: b, n: width, k: d, alpha: 1, pp.baseAddress!, lda: max(1, d),
                                      vp.baseAddress! + i0, ldb: m, beta: 0, sp.baseAddress!, ldc: width)
                        }
                    }
                }
                scratch.withUnsafeBufferPointer { sp in
                lists.withUnsafeMutableBufferPointer { lp in
                cursor.withUnsafeMutableBufferPointer { cp in
                training.rowPointers.withUnsafeBufferPointer { rp in
                training.columnIndices.withUnsafeBufferPointer { ci in
                    for u in 0..<b {
                        let row = sp.baseAddress! + u * width
                        let likesEnd = rp[block[u].user + 1]
                        var c = cp[u]
                        for j in 0..<width {
                            let item = i0 + j
                            if c < likesEnd, Int(ci[c]) == item { c += 1; continue }
                            let s = row[j]
                            if !s.isFinite, badUser == nil { badUser = block[u].user }
                            lp[u].offer(item: item, score: s)
                        }
                        cp[u] = c
                    }
                }}}}}
                if let badUser { throw EvaluationError.nonFiniteScore(method: recommender.name, user: badUser) }
            }
            for u in 0..<b { ranks[start + u] = lists[u].position(of: block[u].item) ?? k + 1 }
            start = end
        }
        return ranks
    }

    /// A deterministic sample of `count` held-out pairs (all when `count` ≥ their number), in
    /// their original order: a partial Fisher–Yates shuffle driven by SplitMix64 from `seed`.
    public static func sample(_ heldOut: [HeldOutPair], count: Int, seed: UInt64) -> [HeldOutPair] {
        guard count < heldOut.count else { return heldOut }
        var index = Array(heldOut.indices)
        var rng = SplitMix64(seed: seed ^ 0xE7A1_05E5)
        for i in 0..<count {
            let j = i + Int(rng.next() % UInt64(heldOut.count - i))
            index.swapAt(i, j)
        }
        return index[0..<max(0, count)].sorted().map { heldOut[$0] }
    }
}

/// The best K (item, score) pairs seen so far under (score descending, index ascending); items
/// arrive in increasing index order, so an equal score never displaces an earlier item.
struct TopList {
    var items: [Int] = []
    var scores: [Double] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity + 1)
        scores.reserveCapacity(capacity + 1)
    }

    @inline(__always)
    mutating func offer(item: Int, score: Double) {
        if items.count == capacity, !(score > scores[capacity - 1]) { return }
        var i = items.count
        while i > 0, score > scores[i - 1] { i -= 1 }
        items.insert(item, at: i)
        scores.insert(score, at: i)
        if items.count > capacity { items.removeLast(); scores.removeLast() }
    }

    func position(of item: Int) -> Int? { items.firstIndex(of: item).map { $0 + 1 } }
}
