import LinearAlgebra

/// The `lobpcg` inner step of alternating imputation: Rayleigh–Ritz on span[V, YV, P], where P is
/// the part of the previous refit that came from outside span(V_{k−1}) (the update direction, as
/// in Knyazev's LOBPCG).
///
/// Why: one Rayleigh–Ritz step on span[V, YV] is a restarted block-Krylov step, and the Ritz
/// vectors whose values sit near the D-th eigenvalue converge at its slow linear rate; on
/// ml-latest-small (D = 300) that inexact inner solve, not the map on d, accounts for about half the
/// plain loop's tail (ratio ≈ 0.92 per refit, against ≈ 0.81 with the exact top-D eigenpairs). The
/// previous direction turns the restarted steepest-ascent-like step into a conjugate-gradient-like
/// one at the price of D more basis columns.
///
/// Structure (block Lanczos, as in `RayleighRitzStep`): U orthonormal with span(U) = span(V);
/// YU = R̂K + U(A + C) with R̂ ⟂ U orthonormal (CholeskyQR2); P̂ = P projected off [U, R̂] twice
/// and orthonormalised by CholeskyQR2. Then P̂ᵀYU = 0 to rounding, so the projected matrix is
/// block tridiagonal:
///
///     T = [A  Kᵀ 0; K  R̂ᵀYR̂  (P̂ᵀYR̂)ᵀ; 0  P̂ᵀYR̂  P̂ᵀYP̂].
///
/// The subspace still contains span(V_k), so the refit keeps imputation's monotone guarantee.
/// P has only the columns of the slowest Ritz vectors (the last ones, values nearest the cut; see
/// `directionColumns`), so a refit costs little more than the two-block step's. Without a usable P
/// (the first refit, a direction that lies in span[U, R̂] to rounding, or 2D + k > M) it is
/// exactly the two-block step.
///
/// With local rows (`ItemSums` distributed) every M-row array holds the participant's rows and
/// every Gram matrix and column length is its block's partial product completed by `sums`, as in
/// `RayleighRitzStep`: T, its eigenpairs and the columns kept are bitwise the same everywhere.
enum MomentumRayleighRitzStep {
    /// Columns of the projected direction with norm ≤ this × the largest are dropped (they lie in
    /// span[U, R̂] to rounding and would make CholeskyQR fail).
    static let negligibleColumn = 1e-8

    struct Output {
        /// The refit V⁺ = [U R̂ P̂]·Z·diag(√θ).
        var v: Matrix
        /// The next P: the last `directionColumns` columns of V⁺'s part outside span(U), R̂Z₂√θ + P̂Z₃√θ.
        var direction: Matrix
        /// Columns of P̂ used in this refit (0: the two-block step).
        var directionColumns: Int
    }

    /// nil when the shortcut does not apply (the caller then takes the QR path of the plain step).
    static func step(_ y: some SymmetricOperator, basis v: Matrix, direction p: Matrix?, dimension dim: Int,
                     context: SolverContext) throws -> Output? {
        guard let block = try RayleighRitzStep.lanczosBlock(y, basis: v, dimension: dim, context: context) else { return nil }
        let (m, u, r, yr, sums) = (v.rows, block.u, block.r, block.yr, context.itemSums)
        let q = try p.flatMap { try orthonormalDirection($0, against: u, r, rows: m, totalRows: block.totalRows, dimension: dim, sums: sums) }
        let kp = q?.columns ?? 0
        let n = 2 * dim + kp
        var t = block.projected(size: n)
        if let q {
            let yq = y.applied(to: q)
            context.extraOperatorApplications += kp
            var t32 = BLAS.multiply(q, .transpose, yr, .none)
            sums.reduce(&t32)
            var t33 = BLAS.multiply(q, .transpose, yq, .none)
            sums.reduce(&t33)
            RayleighRitzStep.symmetrize(&t33)
            for j in 0..<dim {
                for i in 0..<kp {
                    t[2 * dim + i, dim + j] = t32[i, j]
                    t[dim + j, 2 * dim + i] = t32[i, j]
                }
            }
            for j in 0..<kp { for i in 0..<kp { t[2 * dim + i, 2 * dim + j] = t33[i, j] } }
        }
        let eig = try LAPACK.symmetricEigen(t)
        var top = Matrix(rows: dim, columns: dim), middle = Matrix(rows: dim, columns: dim)
        var bottom = Matrix(rows: kp, columns: dim)
        for j in 0..<dim {
            let f = max(eig.values[j], 0).squareRoot()
            for i in 0..<dim {
                top[i, j] = eig.vectors[i, j] * f
                middle[i, j] = eig.vectors[dim + i, j] * f
            }
            for i in 0..<kp { bottom[i, j] = eig.vectors[2 * dim + i, j] * f }
        }
        var out = Matrix(rows: m, columns: dim)
        BLAS.gemm(.none, u, .none, top, into: &out)
        BLAS.gemm(.none, r, .none, middle, alpha: 1, beta: 1, into: &out)
        if let q { BLAS.gemm(.none, q, .none, bottom, alpha: 1, beta: 1, into: &out) }
        // The next direction for the slowest Ritz vectors only (the last columns: values nearest
        // the cut at D, where the restarted step converges slowly).
        let kept = directionColumns(dimension: dim)
        let slow = (dim - kept)..<dim
        var direction = Matrix(rows: m, columns: kept)
        BLAS.gemm(.none, r, .none, middle.columns(slow), into: &direction)
        if let q { BLAS.gemm(.none, q, .none, bottom.columns(slow), alpha: 1, beta: 1, into: &direction) }
        var notes: [String] = []
        SpectralEmbedding.finish(&out, values: eig.values, scaled: true, notes: &notes, sums: sums)
        return Output(v: out, direction: direction, directionColumns: kp)
    }

    /// P projected off span[U, R̂] (block Gram–Schmidt twice), its negligible columns dropped, the
    /// rest scaled to unit norm and orthonormalised by CholeskyQR2; nil when nothing usable is left.
    static func orthonormalDirection(_ p: Matrix, against u: Matrix, _ r: Matrix, rows m: Int, totalRows: Int, dimension dim: Int,
                                     sums: ItemSums = .oneProcess) throws -> Matrix? {
        guard p.rows == m, p.columns <= dim, 2 * dim + p.columns <= totalRows else { return nil }
        var q = p
        for _ in 0..<projectionPasses {
            var cu = BLAS.multiply(u, .transpose, q, .none)
            sums.reduce(&cu)
            BLAS.gemm(.none, u, .none, cu, alpha: -1, beta: 1, into: &q)
            var cr = BLAS.multiply(r, .transpose, q, .none)
            sums.reduce(&cr)
            BLAS.gemm(.none, r, .none, cr, alpha: -1, beta: 1, into: &q)
        }
        let before = columnLengths(p, sums: sums), after = columnLengths(q, sums: sums)
        guard let largest = after.max(), largest > 0, largest.isFinite else { return nil }
        // A column that lost nearly all its length to the projection is rounding noise.
        let keep = (0..<p.columns).filter { after[$0] > negligibleColumn * max(before[$0], largest) }
        guard !keep.isEmpty else { return nil }
        var kept = Matrix(rows: m, columns: keep.count)
        kept.storage.withUnsafeMutableBufferPointer { out in
            q.storage.withUnsafeBufferPointer { src in
                for (jj, j) in keep.enumerated() {
                    let f = 1 / after[j]
                    for i in 0..<m { out[i + jj * m] = src[i + j * m] * f }
                }
            }
        }
        guard (try? RayleighRitzStep.choleskyQRPass(&kept, gram: RayleighRitzStep.gram(kept, sums))) != nil,
              (try? RayleighRitzStep.secondCholeskyQRPass(&kept, sums: sums)) ?? nil != nil else { return nil }
        return kept
    }

    /// Columns of P: the D/20 slowest Ritz vectors, at least 4 (all of them when D ≤ 4). On
    /// ml-latest-small (D = 300, Anderson m = 5, to 1e-6) 3 % of the columns took 17 refits, 5 % 16,
    /// 10 % and 25 % 15, 50 % 14, all of them 14 (the subspace step: 75): the slow modes sit at the
    /// cut, and each column of P costs about 10·M·D flops more per refit.
    static func directionColumns(dimension dim: Int) -> Int { min(dim, max(minimumDirectionColumns, (dim + 19) / 20)) }
    static let minimumDirectionColumns = 4
    /// Block Gram–Schmidt passes of P against [U, R̂] ("twice is enough"; P is only D/20 columns).
    static let projectionPasses = 2

    static func columnLengths(_ a: Matrix, sums: ItemSums = .oneProcess) -> [Double] {
        var squares = a.storage.withUnsafeBufferPointer { p in
            (0..<a.columns).map { j in
                var s = 0.0
                for i in 0..<a.rows { s += p[i + j * a.rows] * p[i + j * a.rows] }
                return s
            }
        }
        sums.reduce(&squares)
        return squares.map { $0.squareRoot() }
    }
}

extension AlternatingImputation {
    /// The refit from V at Y = base + diag(shift), carrying the `lobpcg` direction (nil for the
    /// other inner steps, which are exactly `refit(base:shift:v:context:)`).
    func refit<Base: SymmetricOperator>(base: Base, shift: [Double], v current: Matrix, direction: Matrix?,
                                        context: SolverContext) throws -> (v: Matrix, direction: Matrix?) {
        guard inner == .lobpcg else { return (try refit(base: base, shift: shift, v: current, context: context), nil) }
        if context.itemSums.isDistributed { return try refitOwnRows(shift: shift, v: current, direction: direction, context: context) }
        let y = DiagonallyShiftedOperator(base, adding: shift)
        if let out = try MomentumRayleighRitzStep.step(y, basis: current, direction: direction,
                                                       dimension: context.dimension, context: context) {
            return (out.v, out.direction)
        }
        return (try rayleighRitz(y, basis: current, context: context), nil)
    }
}
