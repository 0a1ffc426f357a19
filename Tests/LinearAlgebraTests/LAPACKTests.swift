import LinearAlgebra
import Testing
import TestSupport

/// The LAPACK wrappers against brute-force checks and known answers.
struct LAPACKTests {
    @Test func fullEigendecompositionReconstructsMatrix() throws {
        var rng = SplitMix64(seed: 11)
        let a = RandomProblems.symmetricMatrix(60, using: &rng)
        let (values, vectors) = try LAPACK.symmetricEigen(a)
        #expect(values.count == 60 && vectors.rows == 60 && vectors.columns == 60)
        #expect(isDescending(values))
        #expect(try relativeResidual(a, values, vectors) <= 1e-12)
        #expect(orthonormalityError(vectors) <= 1e-12)
        let valuesOnly = try LAPACK.symmetricEigenvalues(a)
        for (x, y) in zip(valuesOnly, values) { #expect(abs(x - y) <= 1e-12 * abs(values[0])) }
    }

    @Test func knownSpectrumIsRecovered() throws {
        var rng = SplitMix64(seed: 12)
        let spectrum = (0..<40).map { Double($0) - 10.5 }
        let a = try RandomProblems.matrixWithSpectrum(spectrum, using: &rng)
        let values = try LAPACK.symmetricEigenvalues(a)
        for (x, y) in zip(values, spectrum.sorted(by: >)) { #expect(abs(x - y) <= 1e-12 * 30) }
    }

    @Test func largestEigenpairsAreTopOfFullSpectrumInDescendingOrder() throws {
        var rng = SplitMix64(seed: 13)
        let a = RandomProblems.symmetricMatrix(80, using: &rng)
        let full = try LAPACK.symmetricEigen(a)
        for k in [1, 5, 80] {
            let (values, vectors) = try LAPACK.largestEigenpairs(a, count: k)
            #expect(values.count == k && vectors.columns == k)
            #expect(isDescending(values))
            for j in 0..<k { #expect(abs(values[j] - full.values[j]) <= 1e-12 * abs(full.values[0])) }
            #expect(try relativeResidual(a, values, vectors) <= 1e-12)
            #expect(orthonormalityError(vectors) <= 1e-12)
        }
    }

    @Test func largestEigenpairsRejectsBadCount() {
        let a = Matrix.identity(3)
        #expect(throws: LinearAlgebraError.self) { try LAPACK.largestEigenpairs(a, count: 0) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.largestEigenpairs(a, count: 4) }
    }

    @Test func symmetricRoutinesRejectNonSymmetricAndNonFinite() {
        let asym = Matrix([[1, 2], [0, 1]])
        #expect(throws: LinearAlgebraError.notSymmetric(maxAsymmetry: 2, tolerance: 2e-12)) { try LAPACK.symmetricEigen(asym) }
        let nan = Matrix([[1, .nan], [.nan, 1]])
        #expect(throws: LinearAlgebraError.self) { try LAPACK.cholesky(nan) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.symmetricEigenvalues(Matrix(rows: 2, columns: 3)) }
    }

    @Test func choleskyFactorReproducesMatrix() throws {
        var rng = SplitMix64(seed: 14)
        let g = RandomProblems.gaussianMatrix(rows: 50, columns: 30, using: &rng)
        var a = naiveProduct(g.transposed, g)       // SPD with probability 1
        for i in 0..<30 { a[i, i] += 1 }
        let u = try LAPACK.cholesky(a)
        for j in 0..<30 { for i in (j + 1)..<30 { #expect(u[i, j] == 0) } }
        for i in 0..<30 { #expect(u[i, i] > 0) }
        let back = naiveProduct(u.transposed, u)
        #expect(maxAbs(Matrix(rows: 30, columns: 30) { back[$0, $1] - a[$0, $1] }) <= 1e-12 * maxAbs(a))
    }

    @Test func inverseOfSPDMatrixIsSymmetricInverse() throws {
        var rng = SplitMix64(seed: 15)
        let g = RandomProblems.gaussianMatrix(rows: 40, columns: 25, using: &rng)
        var a = naiveProduct(g.transposed, g)
        for i in 0..<25 { a[i, i] += 0.5 }
        let inv = try LAPACK.inverseSPD(a)
        #expect(inv.maxAsymmetry == 0)
        var p = naiveProduct(a, inv)
        for i in 0..<25 { p[i, i] -= 1 }
        #expect(maxAbs(p) <= 1e-10)
    }

    @Test func nonSPDMatrixMakesDpotrfThrowTypedError() {
        // Eigenvalues 3 and −1: indefinite, the leading minor of order 2 fails.
        let a = Matrix([[1, 2], [2, 1]])
        let error = #expect(throws: LinearAlgebraError.self) { try LAPACK.cholesky(a) }
        guard case let .lapackFailure(routine, info, reason)? = error else {
            Issue.record("expected lapackFailure, got \(String(describing: error))")
            return
        }
        #expect(routine == "dpotrf")
        #expect(info == 2)
        #expect(reason.contains("not positive definite"))
        let inverseError = #expect(throws: LinearAlgebraError.self) { try LAPACK.inverseSPD(a) }
        if case let .lapackFailure(routine, _, _)? = inverseError { #expect(routine == "dpotrf") } else {
            Issue.record("expected lapackFailure from inverseSPD, got \(String(describing: inverseError))")
        }
    }

    @Test func thinQRIsOrthonormalAndSpansInput() throws {
        var rng = SplitMix64(seed: 16)
        let a = RandomProblems.gaussianMatrix(rows: 70, columns: 12, using: &rng)
        let q = try LAPACK.orthonormalize(a)
        #expect(q.rows == 70 && q.columns == 12)
        #expect(orthonormalityError(q) <= 1e-13)
        // A lies in span(Q): ‖A − Q·QᵀA‖ ≈ 0.
        let proj = naiveProduct(q, naiveProduct(q.transposed, a))
        #expect(maxAbs(Matrix(rows: 70, columns: 12) { proj[$0, $1] - a[$0, $1] }) <= 1e-12 * maxAbs(a))
        #expect(throws: LinearAlgebraError.self) { try LAPACK.orthonormalize(Matrix(rows: 3, columns: 4)) }
    }
}
