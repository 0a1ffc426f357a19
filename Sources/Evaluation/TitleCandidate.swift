/// A title that matched a lookup, for showing the user what to choose between.
public struct TitleCandidate: Sendable, Equatable, Codable {
    public let movieId: Int
    public let title: String

    public init(movieId: Int, title: String) {
        self.movieId = movieId
        self.title = title
    }
}
