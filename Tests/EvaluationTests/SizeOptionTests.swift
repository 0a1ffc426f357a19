import Testing
@testable import Evaluation

/// Issue 13: a size-like option is bounded by what exists, never reserved as given.
@Suite struct SizeOptionTests {
    @Test func aHugeKReturnsEveryItemInsteadOfAborting() {
        let scores: [Double] = [0.5, 2, -1, 2, 7]
        let excluded: [Int32] = [2]
        // `reserveCapacity(k + 1)` aborted the process for k = Int.max (overflow) and k = 10¹² (allocation).
        for k in [Int.max, 1_000_000_000_000] {
            let top = scores.withUnsafeBufferPointer { s in excluded.withUnsafeBufferPointer { RankingEvaluation.top(k, of: s, excluding: $0) } }
            #expect(top.map(\.item) == [4, 1, 3, 0], "k = \(k)")
        }
    }
}
