import Foundation
import _COpenBLAS

/// The k algebraically largest eigenpairs of a large symmetric operator from block products only
/// (A applied to n × b panels, b = k + oversampling), for operators too large to materialise and
/// too wide for single-vector Lanczos to be efficient.
///
/// Method: LOBPCG (Knyazev 2001). Randomized block start, then Rayleigh–Ritz on span[X, W, P] each
/// iteration, where X holds the current b Ritz vectors, W their residuals A·X − X·Θ orthonormalised
/// against X, and P the previous step's update (the part of the new X outside the old X: the
/// "momentum" that turns block steepest ascent into a conjugate-gradient-like method; at 100 k
/// items, D = 64, it cut the iterations to a 1e-8 residual from 43 to 15). P is made orthonormal and orthogonal to [X W] by
/// the same projections and CholeskyQR that W gets, applied alike to AP, so every iteration costs
/// one product A·W; when P is numerically rank-deficient it is dropped for that iteration. The new
/// Ritz vectors come from the 3b × 3b projected problem (dsyevd); X, AX, P and AP are updated in
/// place, a few thousand rows at a time, so the method holds six n × b panels (X, AX, W, AW, P, AP).
/// Orthonormalisation is CholeskyQR2 on the small b × b Gram matrix (syrk + dpotrf + dtrsm,
/// twice), with Householder QR as the fallback when dpotrf reports the block rank-deficient.
///
/// Stopping rule: ‖A·x_j − θ_j·x_j‖ ≤ tolerance·max|θ| for each of the k wanted pairs, checked on the
/// implicitly updated AX and confirmed on a freshly applied A·X (one more product) before returning.
/// Signs: each vector's largest-magnitude entry is positive, as for `SymmetricEigen`.
///
/// Rows split across participants (`largest(_:ofRows:options:)`): every panel holds only the
/// participant's rows, every Gram, projection and column norm is a local partial product completed
/// by the operator's `sumOverRows` (bitwise the same everywhere), so the small eigenproblems, the
/// stopping rule and the restarts are decided identically on every participant; the start block is
/// the one-process Gaussian stream cut to the own rows. Signs there: each vector's column sum
/// (completed) is non-negative. The Householder fallback of the orthonormalisation (rare: nearly
/// dependent columns) assembles the n × b block on every participant for that one factorisation.
public enum BlockEigensolver {
    /// n × b panels held at once (X, AX, W, AW, P, AP).
    public static let panelCount = 6

    /// Rows per in-place update of X, AX, P and AP (two scratch blocks of this many rows × b).
    static let updateRows = 4096

    /// Width of the block for k wanted pairs of an order-n operator.
    public static func blockWidth(_ k: Int, order n: Int, oversampling: Int?) -> Int {
        min(n / 2, k + (oversampling ?? max(8, k / 4)))
    }

    /// Bytes of working panels for k pairs of an order-n operator (the operator's own scratch comes
    /// on top and is the caller's to add); `rows`: the rows each panel holds when they are split
    /// across participants (`largest(_:ofRows:options:)`), n when nil.
    public static func workingBytes(_ k: Int, order n: Int, rows: Int? = nil, oversampling: Int? = nil) -> Int {
        let b = blockWidth(k, order: n, oversampling: oversampling)
        let held = rows ?? n
        return 8 * (panelCount * held * b + 2 * min(held, updateRows) * b + 24 * b * b)
    }

    public static func largest(_ k: Int, of op: some SymmetricOperator, options: BlockEigenOptions = .init()) throws -> EigenDecomposition {
        try largest(k, order: op.dimension, rows: 0..<op.dimension, sums: .local, options: options) { x, y in op.apply(x, into: &y) }
    }

    /// The same method on an operator whose rows are split across participants: collective (every
    /// participant calls it), the vectors returned are the own rows. Eigenvalues agree with the
    /// one-process solve to rounding (sums are taken in another order).
    public static func largest(_ k: Int, ofRows op: some RowDistributedOperator, options: BlockEigenOptions = .init()) throws -> EigenDecomposition {
        try largest(k, order: op.dimension, rows: op.ownRows, sums: RowSums(reduce: { op.sumOverRows($0) }, rows: op.ownRows, order: op.dimension), options: options) { x, y in
            op.applyOwnRows(x, into: &y)
        }
    }

    /// The solver on the rows `rows` of an order-`order` operator (all of them in one process).
    static func largest(_ k: Int, order: Int, rows: Range<Int>, sums: RowSums, options: BlockEigenOptions,
                        apply: (Matrix, inout Matrix) -> Void) throws -> EigenDecomposition {
        let n = rows.count
        guard k >= 1 else { throw LinearAlgebraError.invalidArgument("requested \(k) eigenpairs; need k ≥ 1") }
        guard options.tolerance > 0, options.tolerance.isFinite else {
            throw LinearAlgebraError.invalidArgument("tolerance must be positive and finite, got \(options.tolerance)")
        }
        guard options.maxIterations >= 1 else {
            throw LinearAlgebraError.invalidArgument("maxIterations must be at least 1, got \(options.maxIterations)")
        }
        if let p = options.oversampling, p < 0 { throw LinearAlgebraError.invalidArgument("oversampling must be ≥ 0, got \(p)") }
        let b = blockWidth(k, order: order, oversampling: options.oversampling)
        guard b >= k else {
            throw LinearAlgebraError.invalidArgument(
                "the block method needs 2·k ≤ n (k = \(k), n = \(order)); use the dense backend for so small an operator")
        }
        if let start = options.start {
            guard start.rows == n, start.columns <= b else {
                throw LinearAlgebraError.dimensionMismatch("start block is \(start.rows)×\(start.columns), need \(n) rows and ≤ \(b) columns")
            }
            guard start.isFinite else { throw LinearAlgebraError.nonFinite("start block has NaN or infinite entries") }
        }

        var x = sums.isDistributed ? randomBlock(order, b, rows: rows, seed: options.seed) : randomBlock(n, b, seed: options.seed)
        if let start = options.start, start.columns > 0 {
            x.storage.replaceSubrange(0..<(n * start.columns), with: start.storage)
        }
        try orthonormalise(&x, sums)
        var ax = Matrix(rows: n, columns: b)
        apply(x, &ax)
        var applications = b
        var theta = try rotateToRitz(&x, &ax, sums)

        var w = Matrix(rows: n, columns: b), aw = Matrix(rows: n, columns: b)
        var p = Matrix(rows: n, columns: b), ap = Matrix(rows: n, columns: b)
        var hasMomentum = false
        var iterations = 0
        while true {
            // W ← A·X − X·Θ, the residual block.
            residual(x, ax, theta, into: &w)
            let scale = theta.lazy.map(abs).max() ?? 0
            var norms = sums.columnNorms(w)
            if (0..<k).allSatisfy({ norms[$0] <= options.tolerance * scale }) || !(scale > 0) {
                // AX was updated by linear combinations; confirm on a fresh product before returning.
                apply(x, &ax)
                applications += b
                theta = try rotateToRitz(&x, &ax, sums)
                residual(x, ax, theta, into: &w)
                norms = sums.columnNorms(w)
                let freshScale = theta.lazy.map(abs).max() ?? 0
                if (0..<k).allSatisfy({ norms[$0] <= options.tolerance * freshScale }) || !(freshScale > 0) { break }
                hasMomentum = false // restart the recurrence from the refreshed X, AX
            }
            let converged = (0..<k).filter { norms[$0] <= options.tolerance * scale }.count
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
            projectOut(x, from: &w, sums)
            projectOut(x, from: &w, sums)
            try orthonormalise(&w, sums)
            // When W is nearly rank-deficient (its columns almost dependent once X is projected
            // out), CholeskyQR amplifies the rounding left along X (XᵀW ~ 1e-2 on a 30-item
            // problem), the basis [X W] stops being orthonormal, the Ritz values overshoot λ_max
            // and the iteration stalls. A second projection and orthonormalisation restores it.
            projectOut(x, from: &w, sums)
            try orthonormalise(&w, sums)
            apply(w, &aw)
            applications += b
            if hasMomentum {
                hasMomentum = orthonormaliseMomentum(&p, &ap, against: [(x, ax), (w, aw)], sums)
            }
            let q = hasMomentum ? 3 : 2
            // T = [X W P]ᵀ A [X W P]; XᵀAX is recomputed rather than taken as Θ so rounding in X is seen.
            let t = hasMomentum ? projected([x, w, p], [ax, aw, ap], sums) : projected([x, w], [ax, aw], sums)
            let eig = try LAPACK.symmetricEigen(t)
            let z = (0..<q).map { block in
                Matrix(rows: b, columns: b) { i, j in eig.vectors[block * b + i, j] }
            }
            theta = Array(eig.values.prefix(b))
            // P ← W·Z₂ + P·Z₃ and X ← X·Z₁ + P (likewise AP, AX), in place.
            updateInPlace(x: &x, p: &p, w: w, z: z, withMomentum: hasMomentum)
            updateInPlace(x: &ax, p: &ap, w: aw, z: z, withMomentum: hasMomentum)
            hasMomentum = true
        }
        var vectors = x.columns(0..<k)
        if sums.isDistributed {
            sums.makeColumnSumsNonNegative(&vectors)
        } else {
            SymmetricEigen.normaliseSigns(&vectors)
        }
        return EigenDecomposition(
            values: Array(theta.prefix(k)), vectors: vectors,
            info: EigenConvergence(method: .blockRayleighRitz, requested: k, converged: k, iterations: iterations,
                                   operatorApplications: applications, tolerance: options.tolerance))
    }

    /// Bᵀ·(AB) for the basis B = [B₀ B₁ …] from the blocks and their images, symmetrised.
    static func projected(_ basis: [Matrix], _ images: [Matrix], _ sums: RowSums = .local) -> Matrix {
        let q = basis.count, b = basis[0].columns
        var t = Matrix(rows: q * b, columns: q * b)
        for bj in 0..<q {
            for bi in bj..<q {
                let block = sums.transposeProduct(basis[bi], images[bj])
                for j in 0..<b {
                    for i in 0..<b {
                        if bi == bj {
                            t[bi * b + i, bj * b + j] = 0.5 * (block[i, j] + block[j, i])
                        } else {
                            t[bi * b + i, bj * b + j] = block[i, j]
                            t[bj * b + j, bi * b + i] = block[i, j]
                        }
                    }
                }
            }
        }
        return t
    }

    /// Makes P orthonormal and orthogonal to the given orthonormal blocks (two projection passes,
    /// then CholeskyQR2), applying every step to AP as well so that AP stays A·P without a product.
    /// Returns false when P is numerically rank-deficient (dpotrf fails, or the block is far from
    /// orthonormal after one pass): the caller then drops P for this iteration.
    static func orthonormaliseMomentum(_ p: inout Matrix, _ ap: inout Matrix, against blocks: [(Matrix, Matrix)],
                                       _ sums: RowSums = .local) -> Bool {
        let norms = sums.columnNorms(p)
        guard norms.allSatisfy({ $0.isFinite && $0 > 0 }) else { return false }
        let inverse = norms.map { 1 / $0 }
        scaleColumns(&p, by: inverse)
        scaleColumns(&ap, by: inverse)
        // Projection and CholeskyQR twice: when P lies almost in span[X W], R⁻¹ amplifies the
        // rounding left along X and W, and the second pass removes it.
        for pass in 0..<2 {
            do {
                for (q, aq) in blocks {
                    let c = sums.transposeProduct(q, p)
                    BLAS.gemm(.none, q, .none, c, alpha: -1, beta: 1, into: &p)
                    BLAS.gemm(.none, aq, .none, c, alpha: -1, beta: 1, into: &ap)
                }
            }
            let g = sums.gram(p)
            if pass > 0 {
                for j in 0..<g.columns {
                    for i in 0..<g.rows where !(abs(g[i, j] - (i == j ? 1 : 0)) <= 0.1) { return false }
                }
            }
            guard let factor = try? LAPACK.cholesky(g), factor.isFinite else { return false }
            for j in 0..<factor.columns where !(abs(factor[j, j]) > 1e-8) { return false }
            rightSolveUpper(factor, &p)
            rightSolveUpper(factor, &ap)
        }
        return true
    }

    /// a ← a·R⁻¹ for an upper-triangular R (dtrsm).
    static func rightSolveUpper(_ r: Matrix, _ a: inout Matrix) {
        let (m, n) = (a.rows, a.columns)
        r.storage.withUnsafeBufferPointer { f in
            a.storage.withUnsafeMutableBufferPointer { pa in
                cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(m), Int32(n), 1,
                            f.baseAddress, Int32(n), pa.baseAddress, Int32(m))
            }
        }
    }

    /// p ← w·z[1] (+ p·z[2] with momentum), then x ← x·z[0] + p, a block of rows at a time, so that
    /// no third n × b panel is needed.
    static func updateInPlace(x: inout Matrix, p: inout Matrix, w: Matrix, z: [Matrix], withMomentum: Bool) {
        let n = x.rows, b = x.columns
        let chunk = min(n, updateRows)
        var newP = [Double](repeating: 0, count: chunk * b), newX = [Double](repeating: 0, count: chunk * b)
        x.storage.withUnsafeMutableBufferPointer { xs in
        p.storage.withUnsafeMutableBufferPointer { ps in
        w.storage.withUnsafeBufferPointer { ws in
        z[0].storage.withUnsafeBufferPointer { z0 in
        z[1].storage.withUnsafeBufferPointer { z1 in
        (withMomentum ? z[2] : z[1]).storage.withUnsafeBufferPointer { z2 in
        newP.withUnsafeMutableBufferPointer { np in
        newX.withUnsafeMutableBufferPointer { nx in
            var r0 = 0
            while r0 < n {
                let rows = min(chunk, n - r0)
                let (ni, bi, li) = (Int32(rows), Int32(b), Int32(n))
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, bi, bi, 1, ws.baseAddress! + r0, li,
                            z1.baseAddress, bi, 0, np.baseAddress, ni)
                if withMomentum {
                    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, bi, bi, 1, ps.baseAddress! + r0, li,
                                z2.baseAddress, bi, 1, np.baseAddress, ni)
                }
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, bi, bi, 1, xs.baseAddress! + r0, li,
                            z0.baseAddress, bi, 0, nx.baseAddress, ni)
                for j in 0..<b {
                    let xc = xs.baseAddress! + r0 + j * n, pc = ps.baseAddress! + r0 + j * n
                    let npc = np.baseAddress! + j * rows, nxc = nx.baseAddress! + j * rows
                    for i in 0..<rows {
                        pc[i] = npc[i]
                        xc[i] = nxc[i] + npc[i]
                    }
                }
                r0 += rows
            }
        }}}}}}}}
    }

    // MARK: - Pieces

    /// Rotates an orthonormal X (and AX) to the Ritz vectors of span(X); returns the Ritz values, descending.
    static func rotateToRitz(_ x: inout Matrix, _ ax: inout Matrix, _ sums: RowSums = .local) throws -> [Double] {
        var t = sums.transposeProduct(x, ax)
        for j in 0..<t.columns { for i in 0..<j { let a = 0.5 * (t[i, j] + t[j, i]); t[i, j] = a; t[j, i] = a } }
        let eig = try LAPACK.symmetricEigen(t)
        rotateInPlace(&x, by: eig.vectors)
        rotateInPlace(&ax, by: eig.vectors)
        return eig.values
    }

    /// x ← x·z for a b × b z, a block of rows at a time (no second n × b panel).
    static func rotateInPlace(_ x: inout Matrix, by z: Matrix) {
        let n = x.rows, b = x.columns
        let chunk = min(n, updateRows)
        var rotated = [Double](repeating: 0, count: chunk * b)
        x.storage.withUnsafeMutableBufferPointer { xs in
        z.storage.withUnsafeBufferPointer { zs in
        rotated.withUnsafeMutableBufferPointer { rs in
            var r0 = 0
            while r0 < n {
                let rows = min(chunk, n - r0)
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(b), Int32(b), 1, xs.baseAddress! + r0,
                            Int32(n), zs.baseAddress, Int32(b), 0, rs.baseAddress, Int32(rows))
                for j in 0..<b { (xs.baseAddress! + r0 + j * n).update(from: rs.baseAddress! + j * rows, count: rows) }
                r0 += rows
            }
        }}}
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
    static func projectOut(_ q: Matrix, from w: inout Matrix, _ sums: RowSums = .local) {
        let c = sums.transposeProduct(q, w)
        BLAS.gemm(.none, q, .none, c, alpha: -1, beta: 1, into: &w)
    }

    /// Orthonormal columns with the same span: CholeskyQR2, Householder QR when dpotrf fails or the
    /// first pass leaves the block far from orthonormal. With rows split across participants the
    /// Grams are completed sums, and the Householder fallback runs on the assembled block.
    static func orthonormalise(_ a: inout Matrix, _ sums: RowSums = .local) throws {
        if (try? choleskyQR(&a, gram: sums.gram(a))) != nil {
            let g = sums.gram(a)
            var close = true
            for j in 0..<g.columns where close {
                for i in 0..<g.rows where !(abs(g[i, j] - (i == j ? 1 : 0)) <= 0.1) { close = false; break }
            }
            if close, (try? choleskyQR(&a, gram: g)) != nil { return }
        }
        if sums.isDistributed {
            // Householder needs every row: assemble the n × b block on every participant (its rows
            // in place, zeros elsewhere, summed: exact), factor the same bits everywhere, keep the
            // own rows. An n × b transient, only when CholeskyQR2 fails (nearly dependent columns,
            // seen when b is a sizeable fraction of n).
            var whole = Matrix(rows: sums.order, columns: a.columns)
            for j in 0..<a.columns {
                for i in 0..<a.rows { whole[sums.rows.lowerBound + i, j] = a[i, j] }
            }
            sums.complete(&whole)
            let q = try LAPACK.orthonormalize(whole)
            a = Matrix(rows: a.rows, columns: a.columns) { i, j in q[sums.rows.lowerBound + i, j] }
            return
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

    /// Rows `rows` of `randomBlock(n, b, seed:)`, bitwise, without drawing the other rows:
    /// SplitMix64's state after i draws is seed + i·γ, so each column's stretch of the stream
    /// starts by a jump. Box–Muller pairs consecutive storage entries (column-major), so a stretch
    /// starts at the even entry of its first pair.
    static func randomBlock(_ n: Int, _ b: Int, rows: Range<Int>, seed: UInt64) -> Matrix {
        let mb = rows.count
        var m = Matrix(rows: mb, columns: b)
        guard mb > 0 else { return m }
        for j in 0..<b {
            let first = j * n + rows.lowerBound, last = first + mb - 1
            var g = first - first % 2
            var rng = SplitMix64(seed: seed &+ UInt64(g) &* 0x9E37_79B9_7F4A_7C15)
            while g <= last {
                let u1 = max(0.5 * (rng.nextSigned() + 1), 0x1p-60), u2 = 0.5 * (rng.nextSigned() + 1)
                let r = (-2 * log(u1)).squareRoot()
                if g >= first { m.storage[g - first + j * mb] = r * cos(2 * .pi * u2) }
                if g + 1 <= last { m.storage[g + 1 - first + j * mb] = r * sin(2 * .pi * u2) }
                g += 2
            }
        }
        return m
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


/// How the block eigensolver completes sums over the operator's rows: nothing to do when it holds
/// every row (`local`, the one-process calls exactly as before); with rows split across
/// participants, each Gram, projection coefficient and column norm² is a partial product over
/// the own rows completed by `reduce` (the same bits on every participant).
struct RowSums {
    let reduce: ((UnsafeMutableBufferPointer<Double>) -> Void)?
    /// The own rows of the order-`order` operator (unused when local).
    var rows: Range<Int> = 0..<0
    var order = 0

    static var local: RowSums { RowSums(reduce: nil) }

    var isDistributed: Bool { reduce != nil }

    func complete(_ m: inout Matrix) {
        guard let reduce else { return }
        m.storage.withUnsafeMutableBufferPointer { reduce($0) }
    }

    /// aᵀb over all rows.
    func transposeProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = BLAS.multiply(a, .transpose, b, .none)
        complete(&c)
        return c
    }

    /// aᵀa over all rows.
    func gram(_ a: Matrix) -> Matrix {
        var g = BLAS.gram(a)
        complete(&g)
        return g
    }

    /// ‖a_{:,j}‖ over all rows: dnrm2 when local; the completed Σ a_ij² otherwise.
    func columnNorms(_ a: Matrix) -> [Double] {
        guard let reduce else { return BlockEigensolver.columnNorms(a) }
        let n = a.rows
        var squares = a.storage.withUnsafeBufferPointer { p in
            (0..<a.columns).map { j in cblas_ddot(Int32(n), p.baseAddress! + j * n, 1, p.baseAddress! + j * n, 1) }
        }
        squares.withUnsafeMutableBufferPointer { reduce($0) }
        return squares.map { $0.squareRoot() }
    }

    /// Flips each column whose completed sum is negative.
    func makeColumnSumsNonNegative(_ v: inout Matrix) {
        let n = v.rows
        var columnSums = (0..<v.columns).map { j in (0..<n).reduce(0.0) { $0 + v.storage[$1 + j * n] } }
        if let reduce { columnSums.withUnsafeMutableBufferPointer { reduce($0) } }
        for j in 0..<v.columns where columnSums[j] < 0 {
            for i in 0..<n { v.storage[i + j * n] = -v.storage[i + j * n] }
        }
    }
}
