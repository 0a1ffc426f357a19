import LinearAlgebra
import DataIO

/// Leave-one-out split: every user with at least two likes loses one, chosen uniformly from
/// the seed, so a model trained on `training` can be asked to recover it.
///
/// Users with fewer than two likes are left intact: hiding their only like would leave nothing
/// to recommend from. `training` keeps S's shape and row/column indexing, so item `i` is still
/// column `i` (and `itemIDs[i]`) even when the split removes its last like; embeddings trained
/// on `training` therefore line up with S without any re-indexing.
public struct HoldoutSplit: Sendable, Equatable {
    /// S with the held-out likes removed; same shape as the input.
    public let training: SparseMatrix
    /// One pair per eligible user, in increasing user order.
    public let heldOut: [HeldOutPair]
    /// The seed the split was drawn from (for reports and reruns).
    public let seed: UInt64

    /// Draws the split. Users are visited in row order and each eligible user consumes exactly
    /// one bounded draw from one SplitMix64 stream, so the split is a pure function of
    /// (S, seed).
    public init(interactions s: SparseMatrix, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var pointers = [Int](repeating: 0, count: s.rows + 1)
        var columns: [Int32] = []
        var values: [Double] = []
        columns.reserveCapacity(s.nonzeroCount)
        values.reserveCapacity(s.nonzeroCount)
        var pairs: [HeldOutPair] = []
        for u in 0..<s.rows {
            let start = s.rowPointers[u], end = s.rowPointers[u + 1]
            var skip = -1
            if end - start >= 2 {
                skip = start + Int(rng.next(below: UInt64(end - start)))
                pairs.append(HeldOutPair(user: u, item: Int(s.columnIndices[skip])))
            }
            for k in start..<end where k != skip {
                columns.append(s.columnIndices[k])
                values.append(s.values[k])
            }
            pointers[u + 1] = columns.count
        }
        // Removing entries from valid sorted rows keeps them valid and sorted.
        self.training = try! SparseMatrix(rows: s.rows, columns: s.columns, rowPointers: pointers,
                                          columnIndices: columns, values: values)
        self.heldOut = pairs
        self.seed = seed
    }

    /// Splits a loaded dataset's S.
    public init(_ interactions: Interactions, seed: UInt64) {
        self.init(interactions: interactions.matrix, seed: seed)
    }
}
