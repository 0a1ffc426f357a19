import Foundation

enum PartitionedNPZ {
    /// Every member reads the whole `.npz` and keeps the pairs of an equal share of the items.
    static func share(_ url: URL, likeThreshold: Double?, group: any ReadGroup) throws -> PartitionedInteractionFile.Share {
        let whole = try InteractionFile.load(url, likeThreshold: likeThreshold)
        let s = whole.matrix
        let own = (group.rank * s.columns / group.size)..<((group.rank + 1) * s.columns / group.size)
        var share = PartitionedInteractionFile.Share(rows: s.rows, columns: s.columns, entries: whole.ratingCount)
        for u in 0..<s.rows {
            for k in s.rowPointers[u]..<s.rowPointers[u + 1] where own.contains(Int(s.columnIndices[k])) {
                share.users.append(u)
                share.items.append(Int(s.columnIndices[k]))
            }
        }
        return share
    }
}
