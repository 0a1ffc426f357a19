import LinearAlgebra

/// Who liked what: the binary interaction matrix S (users × items) with the maps from rows and
/// columns back to the dataset's ids, and item titles when they are known.
public struct Interactions: Sendable {
    /// S: `users × items`, 1 where the user liked the item.
    public let matrix: SparseMatrix
    /// Row `u` of S is the dataset's user `userIDs[u]` (ascending).
    public let userIDs: [Int]
    /// Column `i` of S is the dataset's item `itemIDs[i]` (ascending): every item with a rating.
    public let itemIDs: [Int]
    /// Title of each item, when a titles file was found; `nil` otherwise.
    public let titles: [String]?
    /// Ratings at or above this value count as likes.
    public let likeThreshold: Double
    /// Number of rating rows read (before de-duplication).
    public let ratingCount: Int
    /// Where the data came from (for reports).
    public let source: String
    /// The users' names when the file's ids were not all integers (then `userIDs` are 0, 1, …
    /// in first-seen order); nil for integer ids.
    public let userKeys: [String]?
    /// The items' names when the file's ids were not all integers (then `itemIDs` are 0, 1, …
    /// in first-seen order); nil for integer ids.
    public let itemKeys: [String]?

    public init(matrix: SparseMatrix, userIDs: [Int], itemIDs: [Int], titles: [String]?, likeThreshold: Double,
                ratingCount: Int, source: String, userKeys: [String]? = nil, itemKeys: [String]? = nil) {
        precondition(matrix.rows == userIDs.count && matrix.columns == itemIDs.count)
        precondition(titles == nil || titles!.count == itemIDs.count)
        precondition(userKeys == nil || userKeys!.count == userIDs.count)
        precondition(itemKeys == nil || itemKeys!.count == itemIDs.count)
        self.userKeys = userKeys
        self.itemKeys = itemKeys
        self.matrix = matrix
        self.userIDs = userIDs
        self.itemIDs = itemIDs
        self.titles = titles
        self.likeThreshold = likeThreshold
        self.ratingCount = ratingCount
        self.source = source
    }

    public var userCount: Int { matrix.rows }
    public var itemCount: Int { matrix.columns }
    public var likeCount: Int { matrix.nonzeroCount }

    /// Item `i`'s id as the data file wrote it (its name, or its integer id).
    public func itemName(_ i: Int) -> String { itemKeys?[i] ?? String(itemIDs[i]) }

    /// User `u`'s id as the data file wrote it (its name, or its integer id).
    public func userName(_ u: Int) -> String { userKeys?[u] ?? String(userIDs[u]) }

    /// The same ids and titles with another S of the same shape (a training split).
    public func replacingMatrix(_ matrix: SparseMatrix) -> Interactions {
        Interactions(matrix: matrix, userIDs: userIDs, itemIDs: itemIDs, titles: titles, likeThreshold: likeThreshold,
                     ratingCount: ratingCount, source: source, userKeys: userKeys, itemKeys: itemKeys)
    }

    /// Likes per item (X_ii).
    public var likesPerItem: [Int] { matrix.columnSums.map { Int($0) } }
}
