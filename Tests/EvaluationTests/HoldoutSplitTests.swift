import Testing
import LinearAlgebra
import TestSupport
@testable import Evaluation

@Suite struct HoldoutSplitTests {
    /// Rows with 0, 1 and many likes so every branch of the split is exercised.
    let s: SparseMatrix = {
        var likes: [[Int]] = [[], [3], [0, 5]]
        var rng = SplitMix64(seed: 99)
        for _ in 0..<60 {
            let n = Int(rng.next(below: 12))
            likes.append(Array(Set((0..<n).map { _ in Int(rng.next(below: 40)) })).sorted())
        }
        return interactions(items: 40, likes: likes)
    }()

    @Test func splitMix64MatchesReferenceOutput() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        var bounded = SplitMix64(seed: 7)
        for _ in 0..<1000 { #expect(bounded.next(below: 3) < 3) }
    }

    @Test func oneItemPerEligibleUserIsRemovedFromTraining() {
        let split = HoldoutSplit(interactions: s, seed: 42)
        let eligible = (0..<s.rows).filter { s.rowPointers[$0 + 1] - s.rowPointers[$0] >= 2 }
        #expect(split.heldOut.map(\.user) == eligible)
        #expect(split.training.rows == s.rows && split.training.columns == s.columns)
        #expect(split.training.nonzeroCount == s.nonzeroCount - eligible.count)
        for p in split.heldOut {
            #expect(s[p.user, p.item] == 1)
            #expect(split.training[p.user, p.item] == 0)
        }
        // Apart from the held-out entries, training equals S.
        var expected = s.dense
        for p in split.heldOut { expected[p.user, p.item] = 0 }
        #expect(split.training.dense == expected)
    }

    @Test func usersWithFewerThanTwoLikesAreUntouched() {
        let split = HoldoutSplit(interactions: s, seed: 1)
        for u in 0..<s.rows where s.rowPointers[u + 1] - s.rowPointers[u] < 2 {
            #expect(split.training.rowCounts[u] == s.rowCounts[u])
            #expect(!split.heldOut.contains { $0.user == u })
        }
        #expect(split.training[1, 3] == 1)
    }

    @Test func sameSeedSameSplitDifferentSeedDifferentSplit() {
        let a = HoldoutSplit(interactions: s, seed: 2024)
        let b = HoldoutSplit(interactions: s, seed: 2024)
        let c = HoldoutSplit(interactions: s, seed: 2025)
        #expect(a == b)
        #expect(a.heldOut != c.heldOut)
        #expect(a.training != c.training)
    }

    @Test func itemsKeepTheirColumnWhenTheyLoseEveryLike() {
        // Item 1 is liked only by user 0; find a seed that holds it out.
        let tiny = interactions(items: 3, likes: [[0, 1], [0, 2]])
        let split = (0..<64).lazy.map { HoldoutSplit(interactions: tiny, seed: $0) }
            .first { $0.heldOut.contains(HeldOutPair(user: 0, item: 1)) }!
        #expect(split.training.columns == 3)
        #expect(split.training.columnSums[1] == 0)
    }
}
