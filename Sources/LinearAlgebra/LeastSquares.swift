import _CLAPACKE

extension LAPACK {
    /// The Tikhonov-regularised least-squares solution argmin_γ ‖b − Aγ‖² + ridge·‖γ‖² of a tall
    /// A (rows ≥ columns), by Householder QR of the stacked system [A; √ridge·I] (`dgels`).
    ///
    /// QR of the stacked matrix keeps A's conditioning (normal equations would square it), and
    /// ridge > 0 makes the stacked matrix full rank whatever A is, so `dgels` cannot meet a zero
    /// diagonal in R; its `info` is still checked. ridge = 0 is plain least squares and throws
    /// `lapackFailure` when A is rank-deficient.
    public static func ridgeLeastSquares(_ a: Matrix, _ b: [Double], ridge: Double) throws -> [Double] {
        let (m, n) = (a.rows, a.columns)
        guard b.count == m else {
            throw LinearAlgebraError.dimensionMismatch("dgels: A is \(m)×\(n) but b has \(b.count) entries")
        }
        guard n >= 1, m >= n else {
            throw LinearAlgebraError.dimensionMismatch("dgels: need 1 ≤ columns ≤ rows, got \(m)×\(n)")
        }
        guard ridge >= 0, ridge.isFinite else {
            throw LinearAlgebraError.invalidArgument("dgels: ridge must be finite and ≥ 0, got \(ridge)")
        }
        guard a.isFinite, b.allSatisfy(\.isFinite) else {
            throw LinearAlgebraError.nonFinite("dgels: A or b has NaN or infinite entries")
        }
        let rows = ridge > 0 ? m + n : m
        let root = ridge.squareRoot()
        var stacked = [Double](repeating: 0, count: rows * n)
        for j in 0..<n {
            for i in 0..<m { stacked[i + j * rows] = a[i, j] }
            if ridge > 0 { stacked[m + j + j * rows] = root }
        }
        var rhs = [Double](repeating: 0, count: rows)
        rhs.replaceSubrange(0..<m, with: b)
        let info = LAPACKE_dgels(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), try lapackInt(rows), try lapackInt(n), 1,
                                 &stacked, try lapackInt(rows), &rhs, try lapackInt(rows))
        try check(info, routine: "dgels", reason: { i in
            "the diagonal element \(i) of the triangular factor is zero: A is rank-deficient"
        })
        let solution = Array(rhs[0..<n])
        guard solution.allSatisfy(\.isFinite) else {
            throw LinearAlgebraError.nonFinite("dgels: the solution has NaN or infinite entries")
        }
        return solution
    }
}
