import Foundation
import _COpenBLAS

/// Options of `BlockEigensolver.largest`.
public struct BlockEigenOptions: Sendable {
    /// Stop when every wanted pair has ‖A·x_j − θ_j·x_j‖ ≤ tolerance·max_i |θ_i|.
    public var tolerance: Double
    /// Iterations (one block product each) before giving up with `notConverged`.
    public var maxIterations: Int
    /// Extra columns carried beyond the k wanted; nil means max(8, k/4).
    public var oversampling: Int?
    /// Seed of the Gaussian start block.
    public var seed: UInt64
    /// Optional warm start (n × j, any j ≤ block width): its columns replace the first random ones.
    public var start: Matrix?

    public init(tolerance: Double = 1e-8, maxIterations: Int = 500, oversampling: Int? = nil, seed: UInt64 = 0x5EED_B10C,
                start: Matrix? = nil) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.oversampling = oversampling
        self.seed = seed
        self.start = start
    }
}

/// The k algebraically largest eigenpairs of a large symmetric operator from block products only
/// (A applied to n × b panels, b = k + oversampling), for operators too large to materialise and
/// too wide for single-vector Lanczos to be efficient.
///
/// Method: randomized block start, then Rayleigh–Ritz on span[X, W] each iteration, where X holds
/// the current b Ritz vectors and W their residuals A·X − X·Θ projected off X and orthonormalised
/// (block steepest ascent of the Rayleigh quotient, LOBPCG without the momentum block, which keeps
/// memory at six n × b panels). The new Ritz vectors and their images come from the 2b × 2b
/// projected problem (dsyevd), so each iteration costs one product A·W. Orthonormalisation is
/// CholeskyQR2 on the small b × b Gram matrix (syrk + dpotrf + dtrsm, twice), with Householder QR
/// as the fallback when dpotrf reports the block numerically rank-deficient.
///
/// Stopping rule: ‖A·x_j − θ_j·x_j‖ ≤ tolerance·max|θ| for each of the k wanted pairs.
/// Signs: each vector's largest-magnitude entry is positive, as for `SymmetricEigen`.
public enum BlockEigensolver {
    /// n × b panels held at once (X, AX, W, AW and the next X, AX).
    public static let panelCount = 6

    /// Width of the block for k wanted pairs of an order-n operator.
    public static func blockWidth(_ k: Int, order n: Int, oversampling: Int?) -> Int {
        min(n / 2, k + (oversampling ?? max(8, k / 4)))
    }

    /// Bytes of working panels for k pairs of an order-n operator (the operator's own scratch,
    /// e.g. S·X for SᵀS, comes on top and is the caller's to add).
    public static func workingBytes(_ k: Int, order n: Int, oversampling: Int? = nil) -> Int {
        let b = blockWidth(k, order: n, oversampling: oversampling)
        return 8 * (panelCount * n * b + 8 * b * b)
    }

    public static func largest(_ k: Int, of op: some SymmetricOperator, options: BlockEigenOptions = .init()) throws -> EigenDecomposition {
        let n = op.dimension
        guard k >= 1 else { throw LinearAlgebraError.invalidArgument("requested \(k) eigenpairs; need k ≥ 1") }
        guard options.tolerance > 0, options.tolerance.isFinite else {
            throw LinearAlgebraError.invalidArgument("tolerance must be positive and finite, got \(options.tolerance)")
        }
        guard options.maxIterations >= 1 else {
            throw LinearAlgebraError.invalidArgument("maxIterations must be at least 1, got \(options.maxIterations)")
        }
        if let p = options.oversampling, p < 0 { throw LinearAlgebraError.invalidArgument("oversampling must be ≥ 0, got \(p)") }
        let b = blockWidth(k, order: n, oversampling: options.oversampling)
        guard b >= k else {
            throw LinearAlgebraError.invalidArgument(
                "the block method needs 2·k ≤ n (k = \(k), n = \(n)); use the dense backend for so small an operator")
        }
        if let start = options.start {
            guard start.rows == n, start.columns <= b else {
                throw LinearAlgebraError.dimensionMismatch("start block is \(start.rows)×\(start.columns), need \(n) rows and ≤ \(b) columns")
            }
            guard start.isFinite else { throw LinearAlgebraError.nonFinite("start block has NaN or infinite entries") }
        }

        var x = randomBlock(n, b, seed: options.seed)
        if let start = options.start, start.columns > 0 {
            x.storage.replaceSubrange(0..<(n * start.columns), with: start.storage)
        }
        try orthonormalise(&x)
        var ax = Matrix(rows: n, columns: b)
        op.apply(x, into: &ax)
        var applications = b
        var theta = try rotateToRitz(&x, &ax)

        var w = Matrix(rows: n, columns: b), aw = Matrix(rows: n, columns: b)
        var iterations = 0
        while true {
            // W ← A·X − X·Θ, the residual block.
            residual(x, ax, theta, into: &w)
            let scale = theta.lazy.map(abs).max() ?? 0
            let norms = columnNorms(w)
            let converged = (0..<k).filter { norms[$0] <= options.tolerance * scale }.count
            if converged == k || !(scale > 0) { break }
            guard iterations < options.maxIterations else {
                throw LinearAlgebraError.notConverged(requested: k, converged: converged, iterations: iterations)
            }
            guard norms.allSatisfy({ $0.isFinite }) else {
                throw LinearAlgebraError.nonFinite("block eigensolver: a residual is NaN or infinite (the operator returned non-finite values)")
            }
            iterations += 1
            // Residuals of converged pairs are tiny; scale every column to unit norm so that the
            // Gram matrix of W is well conditioned before the projection.
            scaleColumns(&w, by: norms.map { $0 > 0 ? 1 / $0 : 0 })
            projectOut(x, from: &w)
            projectOut(x, from: &w)
            try orthonormalise(&w)
            // When W is nearly rank-deficient (its columns almost dependent once X is projected
            // out), CholeskyQR amplifies the rounding left along X (XᵀW ~ 1e-2 on a 30-item
            // problem), the basis [X W] stops being orthonormal, the Ritz values overshoot λ_max
            // and the iteration stalls. A second projection and orthonormalisation restores it.
            projectOut(x, from: &w)
            try orthonormalise(&w)
            op.apply(w, into: &aw)
            applications += b
            // T = [X W]ᵀ A [X W]; XᵀAX is recomputed rather than taken as Θ so rounding in X is seen.
            let t11 = BLAS.multiply(x, .transpose, ax, .none)
            let t21 = BLAS.multiply(w, .transpose, ax, .none)
            let t22 = BLAS.multiply(w, .transpose, aw, .none)
            var t = Matrix(rows: 2 * b, columns: 2 * b)
            for j in 0..<b {
                for i in 0..<b {
                    t[i, j] = 0.5 * (t11[i, j] + t11[j, i])
                    t[b + i, j] = t21[i, j]
                    t[j, b + i] = t21[i, j]
                    t[b + i, b + j] = 0.5 * (t22[i, j] + t22[j, i])
                }
            }
            let eig = try LAPACK.symmetricEigen(t)
            var z1 = Matrix(rows: b, columns: b), z2 = Matrix(rows: b, columns: b)
            for j in 0..<b {
                for i in 0..<b {
                    z1[i, j] = eig.vectors[i, j]
                    z2[i, j] = eig.vectors[b + i, j]
                }
            }
            theta = Array(eig.values.prefix(b))
            // X ← X·Z₁ + W·Z₂ and AX likewise; the old X and AX buffers become the next W and AW.
            var nextX = Matrix(rows: n, columns: b), nextAX = Matrix(rows: n, columns: b)
            BLAS.gemm(.none, w, .none, z2, into: &nextX)
            BLAS.gemm(.none, x, .none, z1, alpha: 1, beta: 1, into: &nextX)
            BLAS.gemm(.none, aw, .none, z2, into: &nextAX)
            BLAS.gemm(.none, ax, .none, z1, alpha: 1, beta: 1, into: &nextAX)
            swap(&x, &nextX)
            swap(&ax, &nextAX)
            w = nextX
            aw = nextAX
        }
        var vectors = x.columns(0..<k)
        SymmetricEigen.normaliseSigns(&vectors)
        return EigenDecomposition(
            values: Array(theta.prefix(k)), vectors: vectors,
            info: EigenConvergence(method: .blockRayleighRitz, requested: k, converged: k, iterations: iterations,
                                   operatorApplications: applications, tolerance: options.tolerance))
    }

    // MARK: - Pieces

    /// Rotates an orthonormal X (and AX) to the Ritz vectors of span(X); returns the Ritz values, descending.
    static func rotateToRitz(_ x: inout Matrix, _ ax: inout Matrix) throws -> [Double] {
        var t = BLAS.multiply(x, .transpose, ax, .none)
        for j in 0..<t.columns { for i in 0..<j { let a = 0.5 * (t[i, j] + t[j, i]); t[i, j] = a; t[j, i] = a } }
        let eig = try LAPACK.symmetricEigen(t)
        x = BLAS.multiply(x, .none, eig.vectors, .none)
        ax = BLAS.multiply(ax, .none, eig.vectors, .none)
        return eig.values
    }

    /// w ← A·X − X·diag(θ).
    static func residual(_ x: Matrix, _ ax: Matrix, _ theta: [Double], into w: inout Matrix) {
        let n = x.rows
        w.storage.withUnsafeMutableBufferPointer { wp in
            x.storage.withUnsafeBufferPointer { xp in
                ax.storage.withUnsafeBufferPointer { ap in
                    for j in 0..<x.columns {
                        let t = theta[j], base = j * n
                        for i in 0..<n { wp[base + i] = ap[base + i] - t * xp[base + i] }
                    }
                }
            }
        }
    }

    static func columnNorms(_ a: Matrix) -> [Double] {
        let n = a.rows
        return a.storage.withUnsafeBufferPointer { p in
            (0..<a.columns).map { j in cblas_dnrm2(Int32(n), p.baseAddress! + j * n, 1) }
        }
    }

    static func scaleColumns(_ a: inout Matrix, by factors: [Double]) {
        let n = a.rows
        a.storage.withUnsafeMutableBufferPointer { p in
            for j in 0..<a.columns { cblas_dscal(Int32(n), factors[j], p.baseAddress! + j * n, 1) }
        }
    }

    /// w ← w − Q(Qᵀw) for an orthonormal Q.
    static func projectOut(_ q: Matrix, from w: inout Matrix) {
        let c = BLAS.multiply(q, .transpose, w, .none)
        BLAS.gemm(.none, q, .none, c, alpha: -1, beta: 1, into: &w)
    }

    /// Orthonormal columns with the same span: CholeskyQR2, Householder QR when dpotrf fails or the
    /// first pass leaves the block far from orthonormal.
    static func orthonormalise(_ a: inout Matrix) throws {
        if (try? choleskyQR(&a)) != nil {
            let g = BLAS.gram(a)
            var close = true
            for j in 0..<g.columns where close {
                for i in 0..<g.rows where !(abs(g[i, j] - (i == j ? 1 : 0)) <= 0.1) { close = false; break }
            }
            if close, (try? choleskyQR(&a, gram: g)) != nil { return }
        }
        a = try LAPACK.orthonormalize(a)
    }

    /// a ← a·R⁻¹ with RᵀR = aᵀa (dpotrf) — one CholeskyQR pass.
    static func choleskyQR(_ a: inout Matrix, gram: Matrix? = nil) throws {
        let factor = try LAPACK.cholesky(gram ?? BLAS.gram(a))
        guard factor.isFinite else { throw LinearAlgebraError.nonFinite("CholeskyQR: the factor has NaN or infinite entries") }
        let (m, n) = (a.rows, a.columns)
        factor.storage.withUnsafeBufferPointer { f in
            a.storage.withUnsafeMutableBufferPointer { p in
                cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(m), Int32(n), 1,
                            f.baseAddress, Int32(n), p.baseAddress, Int32(m))
            }
        }
    }

    /// n × b standard normal entries (SplitMix64 + Box–Muller), reproducible from the seed.
    static func randomBlock(_ n: Int, _ b: Int, seed: UInt64) -> Matrix {
        let uniforms = SymmetricEigen.randomStart(n * b + 1, seed: seed)
        var m = Matrix(rows: n, columns: b)
        var i = 0
        while i < n * b {
            let u1 = max(0.5 * (uniforms[i] + 1), 0x1p-60), u2 = 0.5 * (uniforms[i + 1] + 1)
            let r = (-2 * log(u1)).squareRoot()
            m.storage[i] = r * cos(2 * .pi * u2)
            if i + 1 < n * b { m.storage[i + 1] = r * sin(2 * .pi * u2) }
            i += 2
        }
        return m
    }
}
