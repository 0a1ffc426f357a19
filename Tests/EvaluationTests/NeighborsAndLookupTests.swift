import Testing
import LinearAlgebra
import TestSupport
@testable import Evaluation

@Suite struct NeighborsTests {
    // Angles chosen by hand: cos(0, ·) = 1, 1, 1/√2, 0, −1, 0 (zero row).
    let v = Matrix([[1, 0], [2, 0], [1, 1], [0, 3], [-1, 0], [0, 0], [0.5, 0]])

    @Test func nearestByCosineExcludingSelf() throws {
        let n = try Neighbors(embedding: v)
        let top = try n.nearest(to: 0, k: 5)
        #expect(top.map(\.item) == [1, 6, 2, 3, 5])
        #expect(abs(top[0].score - 1) < 1e-15 && abs(top[1].score - 1) < 1e-15)
        #expect(abs(top[2].score - 0.5.squareRoot()) < 1e-15)
        #expect(top[3].score == 0 && top[4].score == 0)
        #expect(!top.contains { $0.item == 0 })
        let all = try n.nearest(to: 0, k: 100)
        #expect(all.count == 6)
        #expect(all.last!.item == 4 && abs(all.last!.score + 1) < 1e-15)
    }

    @Test func zeroVectorHasOnlyZeroSimilarities() throws {
        let top = try Neighbors(embedding: v).nearest(to: 5, k: 3)
        #expect(top == [ScoredItem(item: 0, score: 0), ScoredItem(item: 1, score: 0), ScoredItem(item: 2, score: 0)])
    }

    @Test func badInputsAreTypedErrors() {
        #expect(throws: EvaluationError.self) { try Neighbors(embedding: v).nearest(to: 7) }
        var bad = v
        bad[0, 0] = .nan
        #expect(throws: EvaluationError.self) { try Neighbors(embedding: bad) }
    }
}

@Suite struct TitleLookupTests {
    let titles = ["Toy Story (1995)", "Jumanji (1995)", "Heat (1995)", "Toy Story 2 (1999)", "Ed (1996)", "Ted (2012) Ed (1996)"]
    let ids = [1, 2, 6, 3114, 1000, 87232]

    @Test func movieIdWins() throws {
        #expect(try TitleLookup.resolve("6", titles: titles, itemIDs: ids) == 2)
        #expect(try TitleLookup.resolve(" 3114 ", titles: titles, itemIDs: ids) == 3)
        // Not a movieId: falls through to the titles ("1999" is in Toy Story 2's).
        #expect(try TitleLookup.resolve("1999", titles: titles, itemIDs: ids) == 3)
    }

    @Test func uniqueSubstringIsCaseInsensitive() throws {
        #expect(try TitleLookup.resolve("jUMANJI", titles: titles, itemIDs: ids) == 1)
    }

    @Test func titleWithoutItsYearIsAnExactMatch() throws {
        #expect(try TitleLookup.resolve("toy story", titles: titles, itemIDs: ids) == 0)
    }

    @Test func severalMatchesAreAmbiguous() {
        #expect(throws: TitleLookupError.ambiguous(
            query: "toy",
            candidates: [TitleCandidate(movieId: 1, title: "Toy Story (1995)"),
                         TitleCandidate(movieId: 3114, title: "Toy Story 2 (1999)")],
            matchCount: 2)) {
            try TitleLookup.resolve("toy", titles: titles, itemIDs: ids)
        }
    }

    @Test func exactTitleBreaksAmbiguity() throws {
        #expect(try TitleLookup.resolve("ed (1996)", titles: titles, itemIDs: ids) == 4)
    }

    @Test func candidateListIsCapped() {
        let many = (0..<30).map { "Film \($0)" }
        do {
            _ = try TitleLookup.resolve("film", titles: many, itemIDs: Array(100..<130))
            Issue.record("expected an ambiguity error")
        } catch let TitleLookupError.ambiguous(_, candidates, count) {
            #expect(count == 30)
            #expect(candidates.count == TitleLookup.candidateLimit)
            #expect(candidates.first == TitleCandidate(movieId: 100, title: "Film 0"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func missingIsNotFound() {
        #expect(throws: TitleLookupError.notFound(query: "zzz")) {
            try TitleLookup.resolve("zzz", titles: titles, itemIDs: ids)
        }
        #expect(throws: TitleLookupError.notFound(query: "1")) {
            try TitleLookup.resolve("1", titles: nil, itemIDs: [5])
        }
    }
}
