import LinearAlgebra
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
        let x = Random.gaussian(rows: items, columns: width, seed: 9)
        let plain = s.transposed.multiply(s.multiply(x))
        var y = Matrix(rows: items, columns: width) { _, _ in .nan }
        GramOperator(s).apply(x, into: &y)
        #expect(y.storage == plain.storage)
    }
}
