import LinearAlgebra
import Testing
import TestSupport

/// Every `SymmetricOperator` conformer against the brute-force dense product, for single vectors
/// and for blocks.
struct OperatorTests {
    /// Checks vector and block apply of `op` against `reference` (the operator's dense matrix
    /// built without calling `op`).
    func checkApplies(_ op: some SymmetricOperator, reference: Matrix, seed: UInt64) {
        let n = op.dimension
        #expect(reference.rows == n && reference.columns == n)
        var rng = SplitMix64(seed: seed)
        let x = RandomProblems.gaussianMatrix(rows: n, columns: 5, using: &rng)
        let want = naiveProduct(reference, x)
        let scale = max(1, maxAbs(want))
        let block = op.applied(to: x)
        #expect(maxAbs(Matrix(rows: n, columns: 5) { block[$0, $1] - want[$0, $1] }) <= 1e-12 * scale)
        for j in 0..<5 {
            let y = op.applied(to: x.column(j))
            #expect(zip(y, want.column(j)).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        }
        #expect(zip(op.diagonal, reference.diagonal).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
    }

    @Test func denseOperatorMatchesProduct() throws {
        var rng = SplitMix64(seed: 21)
        let a = RandomProblems.symmetricMatrix(37, using: &rng)
        checkApplies(try DenseSymmetricOperator(a), reference: a, seed: 1)
    }

    @Test func sparseOperatorMatchesProduct() throws {
        var rng = SplitMix64(seed: 22)
        let s = try RandomProblems.symmetricSparse(45, density: 0.1, using: &rng)
        checkApplies(try SparseSymmetricOperator(s), reference: s.dense, seed: 2)
    }

    @Test func gramOperatorMatchesProduct() throws {
        var rng = SplitMix64(seed: 23)
        let s = try RandomProblems.binarySparse(rows: 60, columns: 40, density: 0.1, emptyRows: 3, emptyColumns: 4, using: &rng)
        let d = s.dense
        checkApplies(GramOperator(s), reference: naiveProduct(d.transposed, d), seed: 3)
    }

    @Test func shiftedOperatorMatchesProduct() throws {
        var rng = SplitMix64(seed: 24)
        let s = try RandomProblems.binarySparse(rows: 30, columns: 25, density: 0.15, emptyColumns: 2, using: &rng)
        let shift = (0..<25).map { _ in rng.nextSigned() }
        let d = s.dense
        var reference = naiveProduct(d.transposed, d)
        for i in 0..<25 { reference[i, i] += shift[i] }
        checkApplies(DiagonallyShiftedOperator(GramOperator(s), adding: shift), reference: reference, seed: 4)
    }

    @Test func diagonalOperatorUsesDefaultBlockApply() {
        let entries = (0..<20).map { Double($0) - 7 }
        let reference = Matrix(rows: 20, columns: 20) { $0 == $1 ? entries[$0] : 0 }
        checkApplies(DiagonalOperator(entries), reference: reference, seed: 5)
    }

    @Test func denseOperatorRejectsBadInput() {
        let nonSquare = #expect(throws: LinearAlgebraError.self) { try DenseSymmetricOperator(Matrix(rows: 2, columns: 3)) }
        if case .dimensionMismatch? = nonSquare {} else { Issue.record("non-square: \(String(describing: nonSquare))") }

        let nonFinite = #expect(throws: LinearAlgebraError.self) { try DenseSymmetricOperator(Matrix([[1, .infinity], [.infinity, 1]])) }
        if case .nonFinite? = nonFinite {} else { Issue.record("non-finite: \(String(describing: nonFinite))") }

        let asym = #expect(throws: LinearAlgebraError.self) { try DenseSymmetricOperator(Matrix([[1, 2], [2.001, 1]])) }
        if case .notSymmetric? = asym {} else { Issue.record("non-symmetric: \(String(describing: asym))") }

        #expect(throws: Never.self) { try DenseSymmetricOperator(Matrix([[1, 2], [2, 1]])) }
    }
}
