import _CARPACK
import _CLAPACKE
import _COpenBLAS
import LinearAlgebra
import Testing
import TestSupport

/// Each C library links and computes something known, so a broken link or ABI mismatch shows up
/// here rather than as a wrong answer deep inside a solver.
@Suite(.serialized) struct SmokeTests {
    @Test func cblasDgemmComputesKnownProduct() {
        // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]] (column-major storage), A·B = [[19, 22], [43, 50]].
        let a: [Double] = [1, 3, 2, 4]
        let b: [Double] = [5, 7, 6, 8]
        var c = [Double](repeating: 0, count: 4)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        #expect(c == [19, 43, 22, 50])
    }

    @Test func lapackeDsyevrComputesKnownEigenpairs() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
        var a: [Double] = [2, 1, 1, 2]
        var m: Int32 = 0
        var w = [Double](repeating: 0, count: 2)
        var z = [Double](repeating: 0, count: 4)
        var isuppz = [Int32](repeating: 0, count: 4)
        let v = CChar(UInt8(ascii: "V")), all = CChar(UInt8(ascii: "A")), upper = CChar(UInt8(ascii: "U"))
        let info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, v, all, upper, 2, &a, 2, 0, 0, 0, 0, 0, &m, &w, &z, 2, &isuppz)
        #expect(info == 0)
        #expect(m == 2)
        #expect(abs(w[0] - 1) < 1e-14 && abs(w[1] - 3) < 1e-14)
        let s = 0.5.squareRoot()
        #expect(abs(abs(z[2]) - s) < 1e-14 && abs(z[2] - z[3]) < 1e-14)   // top vector ∝ (1, 1)
        #expect(abs(abs(z[0]) - s) < 1e-14 && abs(z[0] + z[1]) < 1e-14)   // bottom vector ∝ (1, −1)
    }

    @Test func arpackFindsTopOfDiagonalOperator() throws {
        let n = 100
        let op = DiagonalOperator((1...n).map(Double.init))
        let result = try SymmetricEigen.largest(3, of: op, options: .init(backend: .arpack))
        #expect(result.info.method == .arpack)
        #expect(result.values.count == 3)
        for (got, want) in zip(result.values, [100.0, 99, 98]) { #expect(abs(got - want) < 1e-10 * want) }
        // Eigenvectors are the unit vectors e_{n−1}, e_{n−2}, e_{n−3}, sign-normalised positive.
        for j in 0..<3 { #expect(abs(result.vectors[n - 1 - j, j] - 1) < 1e-10) }
        #expect(result.info.operatorApplications > 0)
        #expect(result.info.converged >= 3)
    }
}
