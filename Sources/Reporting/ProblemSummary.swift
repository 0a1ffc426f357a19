/// The problem a comparison was run on, so a pasted table is never separated
/// from the data, dimension and machine that produced it.
public struct ProblemSummary: Codable, Sendable, Equatable {
    /// Human description of where the interactions came from (file, dataset name).
    public var dataSource: String
    /// Ratings at or above this value count as a like.
    public var likeThreshold: Double
    /// Number of items M (rows/columns of the co-occurrence problem).
    public var items: Int
    public var users: Int
    /// Number of (user, item) likes, i.e. non-zeros of the interaction matrix.
    public var likes: Int
    /// Embedding dimension D.
    public var dimension: Int
    public var seed: UInt64
    /// Free text such as CPU model, core count and BLAS; timings mean nothing without it.
    public var machine: String
    /// Kept as text so the caller decides the format and time zone.
    public var date: String

    public init(dataSource: String, likeThreshold: Double, items: Int, users: Int, likes: Int,
                dimension: Int, seed: UInt64, machine: String, date: String) {
        self.dataSource = dataSource
        self.likeThreshold = likeThreshold
        self.items = items
        self.users = users
        self.likes = likes
        self.dimension = dimension
        self.seed = seed
        self.machine = machine
        self.date = date
    }
}
