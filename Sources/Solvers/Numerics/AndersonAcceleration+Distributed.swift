import _COpenBLAS
import LinearAlgebra

extension AndersonAcceleration {
    /// argmin ‖b − Aγ‖² + ridge·‖γ‖² for A, b held by rows across participants (local rows): the
    /// stacked system [A; √ridge·I] is orthogonalised by CholeskyQR2 whose Grams are completed by
    /// `sums` (the √ridge·I rows are replicated and added once, after the completion), then
    /// γ = R⁻¹·Qᵀb with Qᵀb completed likewise. The ridge bounds κ([A; √ridge·I]) by
    /// ‖A‖_F/√ridge (1e5 at the default regularisation), well inside CholeskyQR2's range
    /// (κ ≲ ε^(−1/2)), so γ matches dgels' to the conditioning's rounding; every participant
    /// solves with the same completed matrices and gets bitwise the same γ.
    static func distributedRidgeLeastSquares(_ a: Matrix, _ b: [Double], ridge: Double, sums: ItemSums) throws -> [Double] {
        let (rows, n) = (a.rows, a.columns)
        guard b.count == rows else {
            throw LinearAlgebraError.dimensionMismatch("ridge least squares: A is \(rows)×\(n) but b has \(b.count) entries")
        }
        func divideByUpper(_ m: inout Matrix, _ factor: Matrix) {
            let mrows = m.rows
            factor.storage.withUnsafeBufferPointer { f in
                m.storage.withUnsafeMutableBufferPointer { p in
                    cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(mrows), Int32(n), 1,
                                f.baseAddress, Int32(n), p.baseAddress, Int32(mrows))
                }
            }
        }
        func factor(_ g: Matrix) throws -> Matrix {
            let r = try LAPACK.cholesky(g)
            guard r.storage.allSatisfy({ $0.isFinite }) else {
                throw LinearAlgebraError.nonFinite("ridge least squares: the Cholesky factor has NaN or infinite entries")
            }
            return r
        }
        var q = a
        var ridgeRows = Matrix(rows: n, columns: n)
        for i in 0..<n { ridgeRows[i, i] = ridge.squareRoot() }
        var g1 = RayleighRitzStep.gram(q, sums)
        for i in 0..<n { g1[i, i] += ridge }
        let r1 = try factor(g1)
        divideByUpper(&q, r1)
        divideByUpper(&ridgeRows, r1)
        var g2 = RayleighRitzStep.gram(q, sums)
        let ridgeGram = BLAS.gram(ridgeRows)
        for j in 0..<n { for i in 0..<n { g2[i, j] += ridgeGram[i, j] } }
        let r2 = try factor(g2)
        divideByUpper(&q, r2)
        var projected = BLAS.multiply(q, .transpose, Matrix(rows: rows, columns: 1, columnMajor: b), .none)
        sums.reduce(&projected)
        let r = BLAS.multiply(r2, .none, r1, .none)
        r.storage.withUnsafeBufferPointer { f in
            projected.storage.withUnsafeMutableBufferPointer { p in
                cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), 1, 1,
                            f.baseAddress, Int32(n), p.baseAddress, Int32(n))
            }
        }
        guard projected.storage.allSatisfy({ $0.isFinite }) else {
            throw LinearAlgebraError.nonFinite("ridge least squares: the solution has NaN or infinite entries")
        }
        return projected.storage
    }
}
