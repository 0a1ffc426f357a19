@testable import LinearAlgebra
import Testing
import TestSupport

/// `GramOperator`'s block product through interleaved groups of eight columns against the plain
/// column-by-column CSR loops: the same sums in the same order, so equal bit for bit.
struct GramPanelProductTests {
    /// Widths with full groups of eight, remainders and a single column; the larger case runs on
    /// two threads (work above the parallel threshold) and includes weighted likes.
    @Test(arguments: [(1, 40, 30), (8, 40, 30), (13, 40, 30), (24, 40, 30), (19, 1200, 900), (64, 1200, 900)])
    func equalsThePlainProductsBitwise(width: Int, users: Int, items: Int) throws {
        var rng = SplitMix64(seed: UInt64(width + users))
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 1..<users { // user 0 and item 0 stay empty
            for i in 1..<items where Double(rng.next() >> 11) * 0x1.0p-53 < 0.05 { triplets.append((u, i, 1 + Double(i % 3))) }
        }
        let s = try SparseMatrix(rows: users, columns: items, triplets: triplets)
        let x = RandomProblems.gaussian(rows: items, columns: width, seed: 9)
        let plain = s.transposed.multiply(s.multiply(x))
        var y = Matrix(rows: items, columns: width) { _, _ in .nan }
        GramOperator(s).apply(x, into: &y)
        #expect(y.storage == plain.storage)
    }

    /// Skewed rows (one user with most likes, popular items), so the nonzero-balanced split of
    /// users and items between the threads falls next to a heavy row; a width past eight groups.
    @Test(arguments: [5, 40])
    func skewedRowsSplitBetweenThreadsStayBitwise(width: Int) throws {
        var rng = SplitMix64(seed: 77)
        var triplets: [(row: Int, column: Int, value: Double)] = []
        let users = 700, items = 1500
        for i in 0..<items where i % 3 != 0 { triplets.append((350, i, 0.5 + Double(i % 5))) }
        for u in 0..<users where u != 350 {
            for i in 0..<items where Double(rng.next() >> 11) * 0x1.0p-53 < 0.3 / Double(1 + i / 20) {
                triplets.append((u, i, 1))
            }
        }
        let s = try SparseMatrix(rows: users, columns: items, triplets: triplets)
        #expect(2 * s.nonzeroCount * width >= SparseMatrix.parallelThreshold)
        let x = RandomProblems.gaussian(rows: items, columns: width, seed: 3)
        let plain = s.transposed.multiply(s.multiply(x))
        var y = Matrix(rows: items, columns: width) { _, _ in .nan }
        GramOperator(s).apply(x, into: &y)
        #expect(y.storage == plain.storage)
    }

    /// The split covers every row once, in order, and no part holds much more than its share.
    @Test func balancedBoundsCoverEveryRowOnce() {
        let pointers = [0, 0, 90, 91, 92, 100, 100, 130, 200] // 8 rows, one heavy
        for parts in 1...5 {
            let bounds = GramPanelProduct.balancedBounds(pointers, parts: parts)
            #expect(bounds.count == parts + 1 && bounds.first == 0 && bounds.last == 8)
            #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0 <= $1 })
        }
        #expect(GramPanelProduct.balancedBounds(pointers, parts: 2) == [0, 5, 8]) // 100 | 100 likes
        #expect(GramPanelProduct.balancedBounds([0], parts: 2) == [0, 0, 0])
    }
}
