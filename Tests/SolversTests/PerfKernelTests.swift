import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// The fused, multi-threaded interactions path of `MaskedLoss` and the four-column sparse product
/// against the explicit dense-X path and plain loops, on problems large enough to run in parallel.
@Suite struct PerfKernelTests {
    @Test(arguments: [1, 6, 37]) // widths that are not multiples of four exercise the remainder columns
    func fusedInteractionsPathMatchesDensePath(dimension: Int) throws {
        let s = RandomProblems.interactions(users: 300, items: 420, density: 0.12, seed: 17)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let implicit = try MaskedLoss(problem: try Problem(interactions: s), dimension: dimension)
        let dense = try MaskedLoss(problem: try Problem(dense: x), dimension: dimension)
        let v = RandomProblems.gaussian(rows: 420, columns: dimension, scale: 0.5, seed: 3)
        let a = implicit.evaluate(v), b = dense.evaluate(v)
        #expect(relativeError(a.loss, b.loss) <= 1e-12)
        #expect(maxAbs(difference(a.gradient, b.gradient)) <= 1e-11 * maxAbs(b.gradient))
        #expect(relativeError(implicit.loss(v), b.loss) <= 1e-12)
    }

    @Test(arguments: [1, 3, 4, 9, 64])
    func sparseMultiplyMatchesPlainLoops(columns: Int) throws {
        let s = RandomProblems.interactions(users: 200, items: 700, density: 0.1, seed: 5)
        let b = RandomProblems.gaussian(rows: 700, columns: columns, seed: 9)
        let product = s.multiply(b)
        var expected = Matrix(rows: 200, columns: columns)
        for d in 0..<columns {
            for r in 0..<200 {
                var acc = 0.0
                for k in s.rowPointers[r]..<s.rowPointers[r + 1] { acc += s.values[k] * b[Int(s.columnIndices[k]), d] }
                expected[r, d] = acc
            }
        }
        #expect(product == expected) // same sums in the same order: bitwise equal
    }

    /// S with non-binary weights and empty rows and columns (first, last and in the middle).
    static func weightedSparse(users: Int, items: Int, density: Double, seed: UInt64) -> SparseMatrix {
        var rng = SeededGenerator(seed: seed)
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<users where u != 0 && u != users / 2 && u != users - 1 {
            for i in 0..<items where i != 0 && i % 7 != 3 && i != items - 1 && rng.nextUniform() < density {
                triplets.append((u, i, 0.25 + 2 * rng.nextUniform()))
            }
        }
        return try! SparseMatrix(rows: users, columns: items, triplets: triplets)
    }

    /// SV, the row norms and ‖SV‖²_F of the item-streamed kernel against plain loops over the CSR of
    /// S, on the serial (small) and the two-thread (large) paths, for widths with every remainder
    /// (8-, 4- and 1-column passes), with the outputs pre-filled with NaN (everything is overwritten).
    @Test(arguments: [(30, 50, 1), (30, 50, 11), (200, 700, 1), (200, 700, 3), (200, 700, 8), (200, 700, 13),
                      (200, 700, 37), (200, 700, 64)])
    func itemStreamedProductMatchesPlainLoops(users: Int, items: Int, columns: Int) throws {
        let s = Self.weightedSparse(users: users, items: items, density: 0.1, seed: UInt64(users + columns))
        let st = s.transposed
        let v = RandomProblems.gaussian(rows: items, columns: columns, seed: 9)
        var expected = Matrix(rows: users, columns: columns)
        for d in 0..<columns {
            for r in 0..<users {
                var acc = 0.0
                for k in s.rowPointers[r]..<s.rowPointers[r + 1] { acc += s.values[k] * v[Int(s.columnIndices[k]), d] }
                expected[r, d] = acc
            }
        }
        var sv = Matrix(rows: users, columns: columns, repeating: .nan)
        var norms = [Double](repeating: .nan, count: items), scratch = [Double](repeating: .nan, count: items)
        for _ in 0..<2 { // twice: nothing may accumulate across calls
            let svNorm = norms.withUnsafeMutableBufferPointer { np in scratch.withUnsafeMutableBufferPointer { sp in
                ImplicitKernels.productAndRowNorms(st: st, v: v, sv: &sv, norms: np.baseAddress!, scratch: sp.baseAddress!)
            }}
            #expect(sv == expected) // same sums in the same order: bitwise equal
            #expect(relativeError(svNorm, expected.frobeniusNormSquared) <= 1e-14)
            let plainNorms = v.rowNormsSquared
            for i in 0..<items { #expect(relativeError(norms[i], plainNorms[i]) <= 1e-14, "row \(i)") }
        }
    }

    @Test func symmetricNormSquaredMatchesFullSum() {
        for n in [1, 2, 7, 40] {
            let g = RandomProblems.symmetric(n, seed: UInt64(n))
            #expect(relativeError(MaskedLoss.symmetricNormSquared(g), g.frobeniusNormSquared) <= 1e-14)
        }
    }
}
