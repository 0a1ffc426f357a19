import Foundation
import LinearAlgebra

/// An interaction matrix file (`.npz`, `.mtx`) read by a group of members, each ending with S
/// for its item block (see `PartitionedRatings` for the blocks and the exchange).
public enum PartitionedInteractionFile {
    public static func read(_ url: URL, likeThreshold: Double?, group: any ReadGroup, blockBounds: ([Int]) -> [Int],
                            pieceLength: Int = 1 << 24) throws -> InteractionsBlock {
        // Every member parses the whole file and keeps the pairs of its share of the items.
        let whole = try InteractionFile.load(url, likeThreshold: likeThreshold)
        let s = whole.matrix
        let share = (group.rank * s.columns / group.size)..<((group.rank + 1) * s.columns / group.size)
        var users: [Int] = [], items: [Int] = []
        for u in 0..<s.rows {
            for k in s.rowPointers[u]..<s.rowPointers[u + 1] where share.contains(Int(s.columnIndices[k])) {
                users.append(u)
                items.append(Int(s.columnIndices[k]))
            }
        }
        let block = try LikeExchange.distribute(users: users, items: items, userCount: s.rows, itemCount: s.columns,
                                                group: group, blockBounds: blockBounds, pieceLength: pieceLength)
        return InteractionsBlock(matrix: block.matrix, bounds: block.bounds, itemIDs: whole.itemIDs, itemKeys: nil, titles: nil,
                                 itemLikes: block.itemLikes, ratingCount: whole.ratingCount, likeThreshold: whole.likeThreshold,
                                 source: whole.source)
    }
}
