import _CLAPACKE

/// LAPACKE's `lapack_int` (a C macro, so not imported): 32-bit in the Debian LP64 build.
typealias LapackInt = Int32

/// Checked wrappers over the LAPACKE routines the suite needs (column-major, `LAPACK_COL_MAJOR`).
///
/// Every routine validates shapes and finiteness up front (LAPACKE's own NaN check would otherwise
/// report a NaN as an "illegal argument"), and every non-zero `info` becomes a typed
/// `LinearAlgebraError` naming the routine, so callers never have to interpret integers.
/// Eigenvalues are returned in **descending** order throughout, matching `SymmetricEigen`.
public enum LAPACK {
    /// All eigenvalues of a symmetric matrix, descending.
    ///
    /// Uses `dsyevd` without vectors, the cheapest way to inspect a whole spectrum (rank, sign,
    /// conditioning). Only the upper triangle is read, but the matrix must be symmetric.
    public static func symmetricEigenvalues(_ a: Matrix) throws -> [Double] {
        try requireSymmetric(a, routine: "dsyevd")
        let n = a.rows
        if n == 0 { return [] }
        var work = a.storage
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, ascii("N"), ascii("U"), try lapackInt(n), &work, try lapackInt(n), &w)
        try check(info, routine: "dsyevd", reason: { i in
            "the algorithm failed to converge; \(i) off-diagonal elements of an intermediate tridiagonal form did not converge to zero"
        })
        return w.reversed()
    }

    /// The complete eigendecomposition `A = V·diag(values)·Vᵀ` of a symmetric matrix, values
    /// descending and the columns of `vectors` in the same order.
    ///
    /// Uses the divide-and-conquer `dsyevd`, the fastest LAPACK driver when every pair is wanted.
    public static func symmetricEigen(_ a: Matrix) throws -> (values: [Double], vectors: Matrix) {
        try requireSymmetric(a, routine: "dsyevd")
        let n = a.rows
        if n == 0 { return ([], Matrix(rows: 0, columns: 0)) }
        var z = a.storage
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, ascii("V"), ascii("U"), try lapackInt(n), &z, try lapackInt(n), &w)
        try check(info, routine: "dsyevd", reason: { i in
            "the algorithm failed to compute an eigenvalue while working on the submatrix in rows and columns \(i / (n + 1)) through \(i % (n + 1))"
        })
        return reversedPairs(values: w, vectors: z, n: n, k: n)
    }

    /// The `k` algebraically largest eigenpairs of a symmetric matrix, values descending.
    ///
    /// Uses `dsyevr` with `range = 'I'` (MRRR), which costs the tridiagonal reduction plus
    /// O(n·k) for the wanted pairs, so asking for a few pairs of a large dense matrix is cheap.
    public static func largestEigenpairs(_ a: Matrix, count k: Int) throws -> (values: [Double], vectors: Matrix) {
        try requireSymmetric(a, routine: "dsyevr")
        let n = a.rows
        guard k >= 1, k <= n else {
            throw LinearAlgebraError.invalidArgument("dsyevr: requested \(k) eigenpairs of a matrix of order \(n); need 1 ≤ k ≤ n")
        }
        let ni = try lapackInt(n)
        var work = a.storage
        var m: LapackInt = 0
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * k)
        var isuppz = [LapackInt](repeating: 0, count: 2 * k)
        // Twice the underflow threshold is LAPACK's recommendation for the most accurate eigenvalues.
        let abstol = 2 * Double.leastNormalMagnitude
        let info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, ascii("V"), ascii("I"), ascii("U"), ni, &work, ni,
                                  0, 0, LapackInt(n - k + 1), ni, abstol, &m, &w, &z, ni, &isuppz)
        try check(info, routine: "dsyevr", reason: { _ in "an internal error occurred in the MRRR tridiagonal eigensolver" })
        guard Int(m) == k else {
            throw LinearAlgebraError.lapackFailure(routine: "dsyevr", info: Int(info),
                                                   reason: "returned \(m) eigenpairs where \(k) were requested")
        }
        return reversedPairs(values: Array(w[0..<k]), vectors: z, n: n, k: k)
    }

    /// The Cholesky factor `U` (upper triangular, `A = UᵀU`) of a symmetric positive definite
    /// matrix; the strictly lower triangle of the result is zero.
    ///
    /// `dpotrf` doubles as the cheapest test of positive definiteness: an indefinite matrix
    /// throws `.lapackFailure(routine: "dpotrf", …)` naming the failing leading minor.
    public static func cholesky(_ a: Matrix) throws -> Matrix {
        try requireSymmetric(a, routine: "dpotrf")
        let n = a.rows
        var u = a
        if n == 0 { return u }
        try potrf(&u.storage, n: n)
        for j in 0..<n {
            for i in (j + 1)..<n { u.storage[i + j * n] = 0 }
        }
        return u
    }

    /// The inverse of a symmetric positive definite matrix, with both triangles filled.
    ///
    /// Goes through the Cholesky factor (`dpotrf` + `dpotri`), which is about half the work of a
    /// general LU inverse and keeps the result exactly symmetric.
    public static func inverseSPD(_ a: Matrix) throws -> Matrix {
        try requireSymmetric(a, routine: "dpotrf")
        var inv = a
        try invertSPDInPlace(&inv)
        return inv
    }

    /// Replaces a symmetric positive definite matrix by its inverse without a second n × n copy
    /// (EASE inverts a 9724 × 9724 Gram matrix: 0.75 GB each). Only the upper triangle is read;
    /// both triangles of the result are filled. `dpotrf` throws `.lapackFailure` naming the first
    /// leading minor that is not positive definite.
    public static func invertSPDInPlace(_ a: inout Matrix) throws {
        guard a.isSquare else {
            throw LinearAlgebraError.dimensionMismatch("dpotrf needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        let n = a.rows
        if n == 0 { return }
        try potrf(&a.storage, n: n)
        let info = LAPACKE_dpotri(LAPACK_COL_MAJOR, ascii("U"), try lapackInt(n), &a.storage, try lapackInt(n))
        try check(info, routine: "dpotri", reason: { i in
            "the (\(i),\(i)) element of the Cholesky factor is zero, so the matrix is singular"
        })
        // dpotri fills the upper triangle only; mirror it in square tiles (a plain strided copy
        // thrashes the cache at n ≈ 10⁴).
        let tile = 64
        a.storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for j0 in stride(from: 0, to: n, by: tile) {
                let j1 = min(n, j0 + tile)
                for i0 in stride(from: j0, to: n, by: tile) {
                    let i1 = min(n, i0 + tile)
                    for j in j0..<j1 {
                        for i in max(i0, j + 1)..<i1 { base[i + j * n] = base[j + i * n] }
                    }
                }
            }
        }
    }

    /// An `m × n` matrix `Q` with orthonormal columns spanning the columns of the `m × n`
    /// (`m ≥ n`) input: the thin QR factor from Householder reflections (`dgeqrf` + `dorgqr`).
    ///
    /// Householder QR stays orthonormal to machine precision even for nearly dependent columns,
    /// which Gram–Schmidt does not; use it to re-orthonormalise iterates and build test bases.
    public static func orthonormalize(_ a: Matrix) throws -> Matrix {
        let (m, n) = (a.rows, a.columns)
        guard m >= n else {
            throw LinearAlgebraError.dimensionMismatch("thin QR needs rows ≥ columns, got \(m)×\(n)")
        }
        guard a.isFinite else { throw LinearAlgebraError.nonFinite("dgeqrf: matrix has NaN or infinite entries") }
        var q = a
        if n == 0 { return q }
        let (mi, ni) = (try lapackInt(m), try lapackInt(n))
        var tau = [Double](repeating: 0, count: n)
        try check(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, mi, ni, &q.storage, mi, &tau), routine: "dgeqrf", reason: nil)
        try check(LAPACKE_dorgqr(LAPACK_COL_MAJOR, mi, ni, ni, &q.storage, mi, &tau), routine: "dorgqr", reason: nil)
        return q
    }

    // MARK: - Helpers

    private static func potrf(_ storage: inout [Double], n: Int) throws {
        let info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, ascii("U"), try lapackInt(n), &storage, try lapackInt(n))
        try check(info, routine: "dpotrf", reason: { i in
            "the leading minor of order \(i) is not positive definite, so the factorization could not be completed"
        })
    }

    /// Turns a LAPACKE return code into a typed error. `reason` explains `info > 0`; routines
    /// without a positive code pass `nil`.
    static func check(_ info: LapackInt, routine: String, reason: ((Int) -> String)?) throws {
        let i = Int(info)
        if i == 0 { return }
        if i == -1010 {
            // LAPACK_WORK_MEMORY_ERROR
            throw LinearAlgebraError.lapackFailure(routine: routine, info: i, reason: "LAPACKE could not allocate workspace")
        }
        if i == -1011 {
            // LAPACK_TRANSPOSE_MEMORY_ERROR
            throw LinearAlgebraError.lapackFailure(routine: routine, info: i, reason: "LAPACKE could not allocate a transposed copy")
        }
        if i < 0 {
            // LAPACKE counts the matrix-layout argument as position 1.
            throw LinearAlgebraError.illegalArgument(routine: routine, position: -i)
        }
        let text = reason?(i) ?? "unexpected positive info code"
        throw LinearAlgebraError.lapackFailure(routine: routine, info: i, reason: text)
    }

    /// Rejects non-square, non-finite or non-symmetric input before LAPACK sees it (LAPACK reads
    /// one triangle and would silently solve a different problem).
    static func requireSymmetric(_ a: Matrix, routine: String) throws {
        guard a.isSquare else {
            throw LinearAlgebraError.dimensionMismatch("\(routine) needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        guard a.isFinite else { throw LinearAlgebraError.nonFinite("\(routine): matrix has NaN or infinite entries") }
        let scale = max(1, a.storage.lazy.map(abs).max() ?? 0)
        let asym = a.maxAsymmetry
        guard asym <= 1e-12 * scale else {
            throw LinearAlgebraError.notSymmetric(maxAsymmetry: asym, tolerance: 1e-12 * scale)
        }
    }

    static func lapackInt(_ n: Int) throws -> LapackInt {
        guard let v = LapackInt(exactly: n) else {
            throw LinearAlgebraError.invalidArgument("dimension \(n) exceeds LAPACK's integer range")
        }
        return v
    }

    private static func ascii(_ c: Unicode.Scalar) -> CChar { CChar(truncatingIfNeeded: c.value) }

    /// Reorders ascending eigenpairs (LAPACK's convention) into descending order.
    private static func reversedPairs(values: [Double], vectors z: [Double], n: Int, k: Int) -> (values: [Double], vectors: Matrix) {
        var v = Matrix(rows: n, columns: k)
        for j in 0..<k {
            let src = (k - 1 - j) * n
            for i in 0..<n { v.storage[i + j * n] = z[src + i] }
        }
        return (values.reversed(), v)
    }
}
