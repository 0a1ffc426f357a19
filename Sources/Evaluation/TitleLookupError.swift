/// Why a query did not resolve to exactly one item.
public enum TitleLookupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Several titles matched; `candidates` holds the first few (item order), `matchCount` all.
    case ambiguous(query: String, candidates: [TitleCandidate], matchCount: Int)
    /// No movieId or title matched.
    case notFound(query: String)

    public var description: String {
        switch self {
        case let .ambiguous(query, candidates, total):
            let list = candidates.map { "  \($0.movieId)  \($0.title)" }.joined(separator: "\n")
            let more = total > candidates.count ? "\n  … and \(total - candidates.count) more" : ""
            return "\"\(query)\" matches \(total) titles; give a movieId or a longer title:\n\(list)\(more)"
        case let .notFound(query):
            return "no movieId or title matches \"\(query)\""
        }
    }
}
