/// One user's hidden like: the item the recommender must find again.
public struct HeldOutPair: Sendable, Equatable, Hashable, Codable {
    /// Row of S (not the dataset's userId).
    public let user: Int
    /// Column of S (not the dataset's movieId).
    public let item: Int

    public init(user: Int, item: Int) {
        self.user = user
        self.item = item
    }
}
