/// An item with its score, as returned by recommendation and neighbour queries.
public struct ScoredItem: Sendable, Equatable, Codable {
    /// Column of S / row of V (not the dataset's movieId).
    public let item: Int
    public let score: Double

    public init(item: Int, score: Double) {
        self.item = item
        self.score = score
    }
}
