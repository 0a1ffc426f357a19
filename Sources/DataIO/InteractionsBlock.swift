import LinearAlgebra

/// A member's part of S after a partitioned read: S restricted to its item block (a users × M
/// CSR whose nonzeros all lie in the block's columns, exactly `ItemDistribution.localBlock` of the
/// whole S), and what every member knows about all items (ids, titles, like counts: M numbers).
public struct InteractionsBlock: Sendable {
    /// users × items, nonzeros only in `bounds[rank] ..< bounds[rank + 1]`.
    public let matrix: SparseMatrix
    /// Item block boundaries (size + 1 entries), from the like counts by the caller's rule.
    public let bounds: [Int]
    /// As in `Interactions`: ids in ascending order, or 0, 1, … with `itemKeys` as names.
    public let itemIDs: [Int]
    public let itemKeys: [String]?
    public let titles: [String]?
    /// Likes per item (X_ii) over the whole S.
    public let itemLikes: [Int]
    /// Rows or entries read, over the whole file (before de-duplication).
    public let ratingCount: Int
    public let likeThreshold: Double
    public let source: String

    public init(matrix: SparseMatrix, bounds: [Int], itemIDs: [Int], itemKeys: [String]?, titles: [String]?, itemLikes: [Int],
                ratingCount: Int, likeThreshold: Double, source: String) {
        precondition(itemIDs.count == matrix.columns && itemLikes.count == matrix.columns && bounds.last == matrix.columns)
        precondition(itemKeys == nil || itemKeys!.count == matrix.columns)
        precondition(titles == nil || titles!.count == matrix.columns)
        self.matrix = matrix
        self.bounds = bounds
        self.itemIDs = itemIDs
        self.itemKeys = itemKeys
        self.titles = titles
        self.itemLikes = itemLikes
        self.ratingCount = ratingCount
        self.likeThreshold = likeThreshold
        self.source = source
    }

    public var userCount: Int { matrix.rows }
    public var itemCount: Int { matrix.columns }
    /// Item `i`'s id as the data file wrote it.
    public func itemName(_ i: Int) -> String { itemKeys?[i] ?? String(itemIDs[i]) }
}
