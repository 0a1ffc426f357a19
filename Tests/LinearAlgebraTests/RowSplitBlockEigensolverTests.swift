import Testing
@testable import LinearAlgebra
import TestSupport

/// The block eigensolver's pieces for rows split across participants, checked in one participant.
/// (Several participants: DistributedTests, on threads and under mpirun.)
@Suite struct RowSplitBlockEigensolverTests {
    /// The start block of a participant is the one-process start's rows, bitwise — including
    /// stretches that start on the odd entry of a Box–Muller pair and an odd n·b.
    @Test func startBlockRowsAreTheOneProcessStreamCut() {
        for (n, b) in [(37, 5), (38, 4), (9, 3)] {
            let whole = BlockEigensolver.randomBlock(n, b, seed: 77)
            for rows in [0..<n, 0..<1, 1..<2, 3..<(n - 3), 4..<n, (n - 1)..<n] {
                let part = BlockEigensolver.randomBlock(n, b, rows: rows, seed: 77)
                for j in 0..<b {
                    for i in rows {
                        #expect(part[i - rows.lowerBound, j].bitPattern == whole[i, j].bitPattern, "n \(n) rows \(rows) (\(i), \(j))")
                    }
                }
            }
        }
    }

    /// PARPACK's start on a participant is the one-process ARPACK start's rows, bitwise.
    @Test func lanczosStartRowsAreTheOneProcessStartCut() {
        let whole = SymmetricEigen.randomStart(41, seed: 0x5EED)
        for rows in [0..<41, 0..<7, 7..<20, 40..<41] {
            let part = SymmetricEigen.randomStart(order: 41, rows: rows, seed: 0x5EED)
            #expect(part.map(\.bitPattern) == whole[rows].map(\.bitPattern), "rows \(rows)")
        }
    }

    /// One participant holding every row, through the row-split code path (completed norms,
    /// the cut start, column-sum signs): LAPACK's eigenvalues, orthonormal vectors, residuals
    /// within the stopping rule, every column sum non-negative.
    @Test func rowSplitPathOnOneParticipantMatchesLAPACK() throws {
        var rng = SplitMix64(seed: 91)
        let n = 120, k = 5
        var spectrum = (0..<n).map { 1 - 2 * Double($0) / Double(n) }
        spectrum[0] = 9; spectrum[1] = 7; spectrum[2] = 6.9; spectrum[3] = 4; spectrum[4] = 3
        let a = try RandomProblems.matrixWithSpectrum(spectrum, using: &rng)
        let op = try DenseSymmetricOperator(a)
        let split = WholeRows(base: op)
        let eig = try BlockEigensolver.largest(k, ofRows: split, options: .init(tolerance: 1e-11, seed: 3))
        #expect(split.sums.value > 0, "the row-split path completes its sums through the operator")
        let lapack = try SymmetricEigen.largest(k, of: op, options: .init(backend: .dense))
        let av = op.applied(to: eig.vectors)
        for j in 0..<k {
            #expect(abs(eig.values[j] - lapack.values[j]) <= 1e-10 * 9)
            var r = 0.0, sum = 0.0
            for i in 0..<n { let d = av[i, j] - eig.values[j] * eig.vectors[i, j]; r += d * d; sum += eig.vectors[i, j] }
            #expect(r.squareRoot() <= 1.01e-11 * 9)
            #expect(sum >= 0)
        }
    }

    final class Counter: @unchecked Sendable { var value = 0 }

    /// All rows on one participant; counts the sums it is asked to complete.
    struct WholeRows: RowDistributedOperator {
        let base: DenseSymmetricOperator
        let sums = Counter()
        var dimension: Int { base.dimension }
        var ownRows: Range<Int> { 0..<base.dimension }
        func applyOwnRows(_ x: Matrix, into y: inout Matrix) { base.apply(x, into: &y) }
        func sumOverRows(_ partial: UnsafeMutableBufferPointer<Double>) { sums.value += 1 }
    }
}
