import Foundation
import DataIO

/// Resolves what a person types ("toy story", "1") to an item column, so command-line users
/// need not know internal indices.
public enum TitleLookup {
    /// How many candidates an ambiguity error lists.
    public static let candidateLimit = 10

    /// The item index for `query`:
    /// 1. an integer that is a movieId in `itemIDs` selects that item;
    /// 2. otherwise titles containing `query` (case-insensitive, surrounding blanks ignored):
    ///    one match selects it; if several match but exactly one title *equals* the query (or equals
    ///    it once a trailing " (YYYY)" year is set aside), that
    ///    one is chosen (else a full title that happens to be part of a longer one could never
    ///    be selected); otherwise `ambiguous`.
    /// A number that is not a movieId falls through to titles ("1984").
    public static func resolve(_ query: String, titles: [String]?, itemIDs: [Int]) throws -> Int {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        if let id = Int(trimmed), let index = itemIDs.firstIndex(of: id) { return index }
        guard !trimmed.isEmpty, let titles else { throw TitleLookupError.notFound(query: query) }
        precondition(titles.count == itemIDs.count, "titles and itemIDs differ in length")
        let matches = titles.indices.filter { titles[$0].range(of: trimmed, options: .caseInsensitive) != nil }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw TitleLookupError.notFound(query: query) }
        // "Matrix, The" equals "Matrix, The (1999)" once MovieLens's year suffix is set aside.
        func withoutYear(_ t: String) -> String {
            guard t.hasSuffix(")"), let open = t.lastIndex(of: "("), t.distance(from: open, to: t.endIndex) == 6,
                  t[t.index(after: open)..<t.index(before: t.endIndex)].allSatisfy(\.isNumber) else { return t }
            return String(t[..<open]).trimmingCharacters(in: .whitespaces)
        }
        var exact = matches.filter { titles[$0].compare(trimmed, options: .caseInsensitive) == .orderedSame }
        if exact.isEmpty {
            exact = matches.filter { withoutYear(titles[$0]).compare(trimmed, options: .caseInsensitive) == .orderedSame }
        }
        if exact.count == 1 { return exact[0] }
        let candidates = matches.prefix(candidateLimit).map { TitleCandidate(movieId: itemIDs[$0], title: titles[$0]) }
        throw TitleLookupError.ambiguous(query: query, candidates: Array(candidates), matchCount: matches.count)
    }

    /// `resolve` over a loaded dataset.
    public static func resolve(_ query: String, in interactions: Interactions) throws -> Int {
        try resolve(query, titles: interactions.titles, itemIDs: interactions.itemIDs)
    }
}
