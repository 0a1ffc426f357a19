import LinearAlgebra

/// Leave-one-out ranking evaluation shared by every recommender.
///
/// **Ranking rule.** Items are ordered by decreasing score; equal scores are ordered by
/// increasing item index. A user's training likes are removed from the ranking (recommending
/// what the user already has says nothing). The held-out item's 1-based rank is therefore
/// `1 + #{c ∉ likes(u) : s_c > s_h, or s_c = s_h and c < h}`. The index rule is deterministic
/// and needs no sort, but it is not neutral: a model that gives many items the same score
/// (popularity, or an embedding with zero rows) is helped or hurt by where the held-out item's
/// index falls; averaged over users that is what a random tie-break would give in expectation.
public enum RankingEvaluation {
    /// Users scored per block: the block's score matrix is `M × userBlockSize` doubles
    /// (40 MB for M = 9 724), which bounds memory independently of the number of users.
    public static let defaultUserBlockSize = 512

    /// HitRate@K and NDCG@K of `recommender` on a leave-one-out split.
    ///
    /// - Throws: `noEvaluableUsers` when the split held nothing out, `nonFiniteScore` when the
    ///   recommender produced NaN/∞ for an evaluated user, `invalidArgument` for K < 1.
    public static func evaluate(_ recommender: some Recommender, split: HoldoutSplit, k: Int = 10,
                                userBlockSize: Int = defaultUserBlockSize) throws -> QualityReport {
        guard k >= 1 else { throw EvaluationError.invalidArgument("K must be at least 1, got \(k)") }
        guard !split.heldOut.isEmpty else { throw EvaluationError.noEvaluableUsers }
        let ranks = try heldOutRanks(recommender, training: split.training, heldOut: split.heldOut,
                                     userBlockSize: userBlockSize)
        return QualityReport(method: recommender.name, k: k, ranks: ranks)
    }

    /// The 1-based rank (see the type's ranking rule) of each held-out item among the items its
    /// user did not like in `training`, in the order of `heldOut`.
    ///
    /// Users are scored in blocks of `userBlockSize`; the blocks are fixed by the input alone
    /// and each rank depends only on its own user's scores, so the result does not depend on
    /// thread scheduling. Within a block, ranking is split across cores.
    public static func heldOutRanks(_ recommender: some Recommender, training: SparseMatrix, heldOut: [HeldOutPair],
                                    userBlockSize: Int = defaultUserBlockSize) throws -> [Int] {
        let m = recommender.itemCount
        guard training.columns == m else {
            throw EvaluationError.shapeMismatch("training has \(training.columns) items, \(recommender.name) scores \(m)")
        }
        guard userBlockSize >= 1 else { throw EvaluationError.invalidArgument("userBlockSize must be at least 1") }
        for p in heldOut {
            guard p.user >= 0, p.user < training.rows, p.item >= 0, p.item < m else {
                throw EvaluationError.shapeMismatch("held-out pair (\(p.user), \(p.item)) outside \(training.rows)×\(m)")
            }
            guard training[p.user, p.item] == 0 else {
                throw EvaluationError.invalidArgument("held-out item \(p.item) of user \(p.user) is still in training")
            }
        }
        var ranks = [Int](repeating: 0, count: heldOut.count)
        var start = 0
        while start < heldOut.count {
            let end = min(heldOut.count, start + userBlockSize)
            let block = Array(heldOut[start..<end])
            let scores = recommender.scores(for: block.map(\.user), history: training)
            precondition(scores.rows == m && scores.columns == block.count,
                         "\(recommender.name) returned \(scores.rows)×\(scores.columns), expected \(m)×\(block.count)")
            let offset = start
            scores.storage.withUnsafeBufferPointer { sp in
            training.rowPointers.withUnsafeBufferPointer { rp in
            training.columnIndices.withUnsafeBufferPointer { ci in
            ranks.withUnsafeMutableBufferPointer { out in
                let (sp, rp, ci, out) = (SharedPointer(sp), SharedPointer(rp), SharedPointer(ci), SharedPointer(out))
                Parallel.chunks(block.count, work: m * block.count) { range in
                    for b in range {
                        let pair = block[b]
                        let column = UnsafeBufferPointer(rebasing: sp.value[(b * m)..<((b + 1) * m)])
                        let likes = UnsafeBufferPointer(rebasing: ci.value[rp.value[pair.user]..<rp.value[pair.user + 1]])
                        // 0 marks a non-finite score; ranks are otherwise ≥ 1.
                        out.value[offset + b] = rank(of: pair.item, in: column, excluding: likes) ?? 0
                    }
                }
            }}}}
            if let bad = ranks[start..<end].firstIndex(of: 0) {
                throw EvaluationError.nonFiniteScore(method: recommender.name, user: heldOut[bad].user)
            }
            start = end
        }
        return ranks
    }

    /// The `count` best items for `user` that are not among the user's likes in `history`,
    /// best first, under the type's ranking rule.
    public static func recommend(_ recommender: some Recommender, user: Int, history: SparseMatrix,
                                 count: Int) throws -> [ScoredItem] {
        guard user >= 0, user < history.rows else {
            throw EvaluationError.shapeMismatch("user row \(user) outside 0..<\(history.rows)")
        }
        guard history.columns == recommender.itemCount else {
            throw EvaluationError.shapeMismatch("history has \(history.columns) items, \(recommender.name) scores \(recommender.itemCount)")
        }
        let scores = recommender.scores(for: [user], history: history)
        guard scores.isFinite else { throw EvaluationError.nonFiniteScore(method: recommender.name, user: user) }
        let likes = history.columnIndices[history.rowPointers[user]..<history.rowPointers[user + 1]]
        return scores.storage.withUnsafeBufferPointer { s in
            likes.withUnsafeBufferPointer { top(count, of: s, excluding: $0) }
        }
    }

    /// 1 + number of items outranking `item`, excluding the sorted `excluded` items; `nil` if
    /// any score is NaN or infinite. Counts over all items and then subtracts the excluded
    /// ones, which keeps the long loop branch-free.
    static func rank(of item: Int, in scores: UnsafeBufferPointer<Double>, excluding excluded: UnsafeBufferPointer<Int32>) -> Int? {
        let target = scores[item]
        var better = 0
        var check = 0.0 // s − s is NaN exactly when s is NaN or ±∞
        for c in 0..<scores.count {
            let s = scores[c]
            check += s - s
            better &+= (s > target || (s == target && c < item)) ? 1 : 0
        }
        guard check == 0 else { return nil }
        for j32 in excluded {
            let j = Int(j32)
            let s = scores[j]
            if s > target || (s == target && j < item) { better -= 1 }
        }
        return better + 1
    }

    /// The best `k` items by (score descending, index ascending), skipping the sorted
    /// `excluded` indices. Scores must be finite.
    static func top(_ k: Int, of scores: UnsafeBufferPointer<Double>, excluding excluded: UnsafeBufferPointer<Int32>) -> [ScoredItem] {
        guard k > 0 else { return [] }
        var best: [ScoredItem] = []
        best.reserveCapacity(min(k, scores.count) + 1) // k is a user option: never reserve more than the items
        var e = 0
        for c in 0..<scores.count {
            if e < excluded.count, Int(excluded[e]) == c { e += 1; continue }
            let s = scores[c]
            // Items arrive in increasing index order, so an equal score never displaces.
            if best.count == k, !(s > best[k - 1].score) { continue }
            var i = best.count
            while i > 0, s > best[i - 1].score { i -= 1 }
            best.insert(ScoredItem(item: c, score: s), at: i)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
