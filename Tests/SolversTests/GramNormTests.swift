import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// ‖SᵀS‖²_F on either side against the square sum of the dense X = SᵀS.
@Suite struct GramNormTests {
    static func directNormSquared(_ s: SparseMatrix) -> Double {
        let d = s.dense
        var total = 0.0
        for i in 0..<s.columns {
            for j in 0..<s.columns {
                var x = 0.0
                for u in 0..<s.rows { x += d[u, i] * d[u, j] }
                total += x * x
            }
        }
        return total
    }

    @Test(arguments: [(30, 17, 0.2, UInt64(1)), (9, 60, 0.35, 2), (80, 5, 0.5, 3), (1, 1, 1.0, 4)])
    func bothSidesEqualTheDirectSum(users: Int, items: Int, density: Double, seed: UInt64) throws {
        let s = RandomProblems.interactions(users: users, items: items, density: density, seed: seed)
        let direct = Self.directNormSquared(s)
        #expect(direct > 0 || s.nonzeroCount == 0)
        // Integer data: both sides are exact.
        #expect(GramNorm.frobeniusNormSquared(s, side: .users) == direct)
        #expect(GramNorm.frobeniusNormSquared(s, side: .items) == direct)
        #expect(GramNorm.frobeniusNormSquared(s) == direct)
        #expect(try Problem(interactions: s, normSide: .items).frobeniusNormSquared == direct)
    }

    @Test func realValuedEntriesAgreeToRoundingOnBothSides() throws {
        var rng = SeededGenerator(seed: 11)
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<40 { for i in 0..<25 where rng.nextUniform() < 0.3 { triplets.append((u, i, rng.nextGaussian())) } }
        let s = try SparseMatrix(rows: 40, columns: 25, triplets: triplets)
        let direct = Self.directNormSquared(s)
        for side in GramNorm.Side.allCases {
            let value = GramNorm.frobeniusNormSquared(s, side: side)
            #expect(abs(value - direct) <= 1e-12 * direct, "side \(side): \(value) vs \(direct)")
        }
    }

    /// Many users with one like each on a few items: rows of SᵀS (items side) are cheaper.
    @Test func picksTheSideWithFewerMultiplyAdds() throws {
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<200 { triplets.append((u, u % 3, 1)) }
        let s = try SparseMatrix(rows: 200, columns: 3, triplets: triplets)
        let cost = GramNorm.cost(s)
        let expectedUsersCost: Double = 67 * 67 + 67 * 67 + 66 * 66
        #expect(cost.items == 200)
        #expect(cost.users == expectedUsersCost)
        #expect(GramNorm.cheaperSide(s) == .items)
        #expect(GramNorm.cheaperSide(s.transposed) == .users)
        #expect(GramNorm.frobeniusNormSquared(s) == Self.directNormSquared(s))
    }

    @Test func progressReachesTheEnd() {
        let s = RandomProblems.interactions(users: 300, items: 50, density: 0.2, seed: 5)
        let seen = Fractions()
        _ = GramNorm.frobeniusNormSquared(s, progress: { seen.append($0.fractionDone) })
        let walkedRows = GramNorm.cheaperSide(s) == .users ? s.rows : s.columns
        #expect(seen.values.count == min(GramNorm.blockCount, walkedRows))
        #expect(seen.values.last == 1)
        #expect(seen.values == seen.values.sorted())
    }
}

private final class Fractions: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Double] = []
    func append(_ x: Double) { lock.lock(); stored.append(x); lock.unlock() }
    var values: [Double] { lock.lock(); defer { lock.unlock() }; return stored }
}
