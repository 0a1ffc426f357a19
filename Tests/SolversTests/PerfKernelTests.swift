import Testing
import LinearAlgebra
@testable import Solvers

/// The fused, multi-threaded interactions path of `MaskedLoss` and the four-column sparse product
/// against the explicit dense-X path and plain loops, on problems large enough to run in parallel.
@Suite struct PerfKernelTests {
    @Test(arguments: [1, 6, 37]) // widths that are not multiples of four exercise the remainder columns
    func fusedInteractionsPathMatchesDensePath(dimension: Int) throws {
        let s = Random.interactions(users: 300, items: 420, density: 0.12, seed: 17)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let implicit = try MaskedLoss(problem: try Problem(interactions: s), dimension: dimension)
        let dense = try MaskedLoss(problem: try Problem(dense: x), dimension: dimension)
        let v = Random.gaussian(rows: 420, columns: dimension, scale: 0.5, seed: 3)
        let a = implicit.evaluate(v), b = dense.evaluate(v)
        #expect(relativeError(a.loss, b.loss) <= 1e-12)
        #expect(maxAbs(difference(a.gradient, b.gradient)) <= 1e-11 * maxAbs(b.gradient))
        #expect(relativeError(implicit.loss(v), b.loss) <= 1e-12)
    }

    @Test(arguments: [1, 3, 4, 9, 64])
    func sparseMultiplyMatchesPlainLoops(columns: Int) throws {
        let s = Random.interactions(users: 200, items: 700, density: 0.1, seed: 5)
        let b = Random.gaussian(rows: 700, columns: columns, seed: 9)
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
}
