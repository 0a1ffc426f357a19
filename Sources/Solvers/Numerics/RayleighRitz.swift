import _COpenBLAS
import LinearAlgebra

/// The Rayleigh–Ritz step of alternating imputation on span[V, YV] without a Householder QR of
/// the M × 2D block.
///
/// After a Rayleigh–Ritz step V = B·Z·diag(√θ) with B orthonormal and Z orthogonal, so V's columns
/// are orthogonal (VᵀV = diag(θ)); the eigen start has the same form. Then
///
/// 1. U = V·diag(1/√θ), cleaned by one CholeskyQR pass with the Gram matrix already at hand:
///    an orthonormal basis of span(V) (for a V whose columns are not orthogonal, e.g. one read
///    from a file, Householder QR of the M × D V instead);
/// 2. R = YU − U(UᵀYU), projected against U once more (block Gram–Schmidt twice), and
///    orthonormalised by CholeskyQR2 (two passes of syrk + dpotrf + dtrsm): R̂, with
///    span[U, R̂] = span[V, YV];
/// 3. T = [U R̂]ᵀY[U R̂] from UᵀYU, R̂ᵀYU and R̂ᵀYR̂; top-D eigenpairs (θ, Z) of T;
///    V⁺ = U·Z₁·√θ + R̂·Z₂·√θ.
///
/// The subspace contains span(V_k), so the step keeps alternating imputation's monotonicity
/// guarantee. It applies Y to 2D vectors (the QR path: 3D) and its dense work is level-3 BLAS on
/// M × D blocks. It returns nil — the caller then takes the QR path — when the shortcut does not
/// apply: 2D > M, a (numerically) zero column of V, or a Cholesky factorisation that fails
/// (R numerically rank-deficient, as when span(V) is already invariant).
///
/// With local rows (`ItemSums` distributed) V, U, R and Y's products hold the participant's rows
/// only; every Gram matrix (VᵀV, UᵀYU, UᵀR, RᵀR, R̂ᵀYR̂) is its block's partial product completed by
/// `sums.reduce`, so the factors, T and its eigenpairs are bitwise the same on every participant.
enum RayleighRitzStep {
    /// Columns count as orthogonal when |v_iᵀv_j| ≤ this·‖v_i‖‖v_j‖.
    static let orthogonalityTolerance = 1e-6
    /// A column with ‖v_j‖² ≤ this·max‖v_k‖² counts as zero.
    static let zeroColumnTolerance = 1e-20

    /// The block-Lanczos start shared with `MomentumRayleighRitzStep`: U orthonormal with
    /// span(U) = span(V), A = UᵀYU, R̂ ⟂ U orthonormal with YU = R̂K + U(A + C) (CholeskyQR2), YR̂ and
    /// R̂ᵀYR̂. Nil when the shortcut does not apply (2D > M, a zero column, CholeskyQR2 fails).
    struct LanczosBlock {
        var u: Matrix, r: Matrix, yr: Matrix
        var a: Matrix, k: Matrix, t22: Matrix
        var totalRows: Int

        /// n × n (n ≥ 2D) with the leading blocks [A Kᵀ; K R̂ᵀYR̂] and zeros elsewhere.
        func projected(size n: Int) -> Matrix {
            let dim = a.rows
            var t = Matrix(rows: n, columns: n)
            for j in 0..<dim {
                for i in 0..<dim {
                    t[i, j] = a[i, j]
                    t[dim + i, j] = k[i, j]
                    t[j, dim + i] = k[i, j]
                    t[dim + i, dim + j] = t22[i, j]
                }
            }
            return t
        }
    }

    static func lanczosBlock(_ y: some SymmetricOperator, basis v: Matrix, dimension dim: Int,
                             context: SolverContext) throws -> LanczosBlock? {
        let m = v.rows, sums = context.itemSums
        let totalRows = sums.isDistributed ? context.problem.itemCount : m
        guard v.columns == dim, 2 * dim <= totalRows else { return nil }
        guard let u = try orthonormalBasis(v, sums: sums) else { return nil }
        let yu = y.applied(to: u)
        context.extraOperatorApplications += dim
        var a = BLAS.multiply(u, .transpose, yu, .none)
        sums.reduce(&a)
        symmetrize(&a)
        // R = YU − U·A, then R ← R − U(UᵀR) (the first subtraction cancels badly when R is small).
        var r = yu
        BLAS.gemm(.none, u, .none, a, alpha: -1, beta: 1, into: &r)
        var c = BLAS.multiply(u, .transpose, r, .none)
        sums.reduce(&c)
        BLAS.gemm(.none, u, .none, c, alpha: -1, beta: 1, into: &r)
        guard let first = try? choleskyQRPass(&r, gram: gram(r, sums)),
              let second = try? secondCholeskyQRPass(&r, sums: sums) else { return nil }
        let yr = y.applied(to: r)
        context.extraOperatorApplications += dim
        // R̂ᵀYU without a product over M rows (block Lanczos): YU = R + U(A + C) with R = R̂·K,
        // K = K₂K₁ the two CholeskyQR factors, and R̂ ⟂ U, so R̂ᵀYU = R̂ᵀR̂·K = K to rounding.
        let k = BLAS.multiply(second, .none, first, .none)
        var t22 = BLAS.multiply(r, .transpose, yr, .none)
        sums.reduce(&t22)
        symmetrize(&t22)
        return LanczosBlock(u: u, r: r, yr: yr, a: a, k: k, t22: t22, totalRows: totalRows)
    }

    /// The second CholeskyQR pass, or nil unless the first left R well conditioned: ‖R₁ᵀR₁ − I‖
    /// small leaves R̂ orthonormal to a few ε (Yamamoto et al. 2015) — checked rather than trusting
    /// κ(R) ≲ ε^(−1/2).
    static func secondCholeskyQRPass(_ r: inout Matrix, sums: ItemSums = .oneProcess) throws -> Matrix? {
        let g = gram(r, sums)
        for j in 0..<g.columns {
            for i in 0..<g.rows where !(abs(g[i, j] - (i == j ? 1 : 0)) <= 0.1) { return nil }
        }
        return try choleskyQRPass(&r, gram: g)
    }

    static func step(_ y: some SymmetricOperator, basis v: Matrix, dimension dim: Int, context: SolverContext) throws -> Matrix? {
        guard let block = try lanczosBlock(y, basis: v, dimension: dim, context: context) else { return nil }
        let (m, u, r, sums) = (v.rows, block.u, block.r, context.itemSums)
        let t = block.projected(size: 2 * dim)
        // All 2D pairs by divide and conquer (dsyevd) is about three times faster than the top D by
        // MRRR (dsyevr) at 2D = 600; values come descending.
        let eig = try LAPACK.symmetricEigen(t)
        var top = Matrix(rows: dim, columns: dim), bottom = Matrix(rows: dim, columns: dim)
        for j in 0..<dim {
            let f = max(eig.values[j], 0).squareRoot()
            for i in 0..<dim {
                top[i, j] = eig.vectors[i, j] * f
                bottom[i, j] = eig.vectors[dim + i, j] * f
            }
        }
        var out = Matrix(rows: m, columns: dim)
        BLAS.gemm(.none, u, .none, top, into: &out)
        BLAS.gemm(.none, r, .none, bottom, alpha: 1, beta: 1, into: &out)
        var notes: [String] = []
        SpectralEmbedding.finish(&out, values: eig.values, scaled: true, notes: &notes, sums: sums)
        return out
    }

    /// VᵀV completed over the participants (the identity in one process).
    static func gram(_ v: Matrix, _ sums: ItemSums) -> Matrix {
        var g = BLAS.gram(v)
        sums.reduce(&g)
        return g
    }

    /// An orthonormal basis of span(V) (D columns), or nil when V has a (numerically) zero column.
    /// With local rows a V whose columns are not orthogonal is orthonormalised by CholeskyQR2 on
    /// the completed Grams instead of Householder QR (nil when that fails: the caller's fallback).
    static func orthonormalBasis(_ v: Matrix, sums: ItemSums = .oneProcess) throws -> Matrix? {
        let dim = v.columns
        let g = gram(v, sums)
        let theta = g.diagonal
        guard let largest = theta.max(), largest > 0, largest.isFinite,
              theta.allSatisfy({ $0 > zeroColumnTolerance * largest }) else { return nil }
        let inv = theta.map { 1 / $0.squareRoot() }
        // Gram matrix of V·diag(1/√θ), exactly symmetric (upper triangle computed, mirrored).
        var scaled = Matrix(rows: dim, columns: dim)
        var orthogonal = true
        for j in 0..<dim {
            for i in 0...j {
                let x = i == j ? 1 : (g[i, j] * inv[i]) * inv[j]
                scaled[i, j] = x
                scaled[j, i] = x
                if i != j && abs(x) > orthogonalityTolerance { orthogonal = false }
            }
        }
        guard orthogonal else {
            return sums.isDistributed ? DistributedOrthonormalization.choleskyQR2(v, gram: g, sums: sums) : try LAPACK.orthonormalize(v)
        }
        var u = v
        u.storage.withUnsafeMutableBufferPointer { p in
            let m = v.rows
            for j in 0..<dim {
                let f = inv[j]
                for i in 0..<m { p[i + j * m] *= f }
            }
        }
        // One CholeskyQR pass: U·chol(UᵀU)⁻¹ is orthonormal to rounding for a U this close to it.
        try choleskyQRPass(&u, gram: scaled)
        return u
    }

    /// a ← a·chol(gram)⁻¹ with gram = aᵀa (throws when dpotrf fails); returns the upper
    /// triangular factor K (gram = KᵀK, so the old a = new a·K).
    @discardableResult
    static func choleskyQRPass(_ a: inout Matrix, gram: Matrix) throws -> Matrix {
        let factor = try LAPACK.cholesky(gram)
        let (m, n) = (a.rows, a.columns)
        guard factor.storage.allSatisfy({ $0.isFinite }) else {
            throw LinearAlgebraError.nonFinite("CholeskyQR: the factor has NaN or infinite entries")
        }
        factor.storage.withUnsafeBufferPointer { f in
            a.storage.withUnsafeMutableBufferPointer { p in
                cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(m), Int32(n), 1,
                            f.baseAddress, Int32(n), p.baseAddress, Int32(m))
            }
        }
        return factor
    }

    static func symmetrize(_ t: inout Matrix) {
        for j in 0..<t.columns { for i in 0..<j { let a = 0.5 * (t[i, j] + t[j, i]); t[i, j] = a; t[j, i] = a } }
    }
}
