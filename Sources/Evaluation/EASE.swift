import LinearAlgebra

/// Steck's EASE (WWW 2019): the closed-form item-item linear model with a zero diagonal,
/// B = argmin ‖S − S·B‖² + λ‖B‖² s.t. diag(B) = 0, whose solution is
/// `P = (X + λI)⁻¹`, `B_ij = −P_ij / P_jj` (i ≠ j), `B_jj = 0`, with X = SᵀS.
///
/// It is the strongest simple baseline on MovieLens-sized data, so an embedding that does not
/// approach it has room to improve. The cost is inherently quadratic in memory and cubic in
/// time in the number of items M: X and B are dense M × M (M = 9 724 for ml-latest-small is
/// 756 MB of doubles, held once — X is inverted and turned into B in place) and the Cholesky
/// inverse is about M³ flops. That is fine for ml-latest-small and not for M ≫ 20 000.
public struct EASE: Recommender {
    public let name: String
    /// λ, the ridge added to X's diagonal.
    public let lambda: Double
    /// Bᵀ: column j is row j of B, so a user's scores `Σ_{j ∈ likes} B[j, :]` are a sum of
    /// contiguous columns.
    public let transposedWeights: Matrix

    /// Fits on a training matrix S (users × items), forming X = SᵀS by sparse accumulation.
    ///
    /// - Parameter lambda: ridge; Steck's default for MovieLens-20M is 500, 200 suits
    ///   ml-latest-small. Must be finite and ≥ 0 (0 only works when X itself is positive
    ///   definite, i.e. S has full column rank).
    public init(training: SparseMatrix, lambda: Double = 200, budget: MemoryBudget = .system) throws {
        try Self.checkLambda(lambda)
        try Self.checkMemory(items: training.columns, budget: budget)
        var x = Self.upperGram(training)
        try self.init(upperTriangleOf: &x, lambda: lambda)
    }

    /// Fits on a given symmetric co-occurrence matrix X (M × M), for X other than SᵀS.
    public init(gram: Matrix, lambda: Double = 200) throws {
        try Self.checkLambda(lambda)
        guard gram.isSquare else {
            throw EvaluationError.shapeMismatch("the Gram matrix must be square, is \(gram.rows)×\(gram.columns)")
        }
        guard gram.isFinite else { throw EvaluationError.nonFinite("the Gram matrix has NaN or infinite entries") }
        let scale = max(1, gram.storage.lazy.map(abs).max() ?? 0)
        guard gram.maxAsymmetry <= 1e-12 * scale else {
            throw EvaluationError.invalidArgument("the Gram matrix is not symmetric (max |x_ij − x_ji| = \(gram.maxAsymmetry))")
        }
        var x = gram
        try self.init(upperTriangleOf: &x, lambda: lambda)
    }

    /// Turns X (upper triangle read) into Bᵀ in place: add λ, invert, scale.
    private init(upperTriangleOf x: inout Matrix, lambda: Double) throws {
        let m = x.rows
        for i in 0..<m { x[i, i] += lambda }
        try LAPACK.invertSPDInPlace(&x)
        // x now holds P (full). Bᵀ[c, j] = B[j, c] = −P[j, c] / P[c, c] = −P[c, j] / P[c, c]:
        // every column of P scaled by −1/diag(P), then the diagonal cleared.
        let scale = x.diagonal.map { -1 / $0 }
        x.storage.withUnsafeMutableBufferPointer { buffer in
            let p = SharedPointer(buffer)
            Parallel.chunks(m, work: m * m) { columns in
                for j in columns {
                    let col = p.value.baseAddress! + j * m
                    for c in 0..<m { col[c] *= scale[c] }
                    col[j] = 0
                }
            }
        }
        self.transposedWeights = x
        self.lambda = lambda
        self.name = "EASE (λ = \(lambda))"
    }

    /// EASE holds X and then its inverse in one M × M array (8·M² bytes); refuse before forming
    /// X when that does not fit `budget`.
    static func checkMemory(items m: Int, budget: MemoryBudget) throws {
        let (square, overflow) = m.multipliedReportingOverflow(by: m)
        let bytes = overflow || square > Int.max / 8 ? Int.max : 8 * square
        guard budget.fits(bytes) else {
            throw EvaluationError.invalidArgument(
                "EASE needs an \(m) × \(m) inverse (\(MemoryBudget.format(bytes))), more than the memory budget of \(budget) "
                + "(COEMBED_MEMORY_BUDGET sets it); compare without the EASE reference at this many items")
        }
    }

    private static func checkLambda(_ lambda: Double) throws {
        guard lambda.isFinite, lambda >= 0 else {
            throw EvaluationError.invalidArgument("EASE's λ must be finite and ≥ 0, got \(lambda)")
        }
    }

    public var itemCount: Int { transposedWeights.rows }

    /// B itself (a transposed copy of the stored Bᵀ: M² doubles, meant for inspection and tests).
    public var weights: Matrix { transposedWeights.transposed }

    /// The upper triangle of X = SᵀS (lower left zero), accumulated user by user:
    /// Σ_u |likes(u)|² updates instead of an M × N × M dense product (at ml-latest-small scale
    /// the updates take ~10 ms; a syrk of the densified S would be ~29 GFlop).
    ///
    /// The accumulation is so cheap that first-touching M² doubles dominates (~0.8 s for
    /// 756 MB on one core), so the storage starts uninitialised and each core zeroes and fills
    /// its own columns. Columns are split by that cost; each entry is summed in user order, so
    /// the result does not depend on the split.
    static func upperGram(_ s: SparseMatrix) -> Matrix {
        let m = s.columns
        // Cost of column k: zeroing m doubles plus the updates that land in it (Σ over users
        // liking k of k's position in the row + 1), an update costing a few writes.
        var work = [Int](repeating: m, count: m)
        for u in 0..<s.rows {
            let start = s.rowPointers[u]
            for k in start..<s.rowPointers[u + 1] { work[Int(s.columnIndices[k])] += 4 * (k - start + 1) }
        }
        let storage = [Double](unsafeUninitializedCapacity: m * m) { buffer, initialized in
            s.rowPointers.withUnsafeBufferPointer { rp in
            s.columnIndices.withUnsafeBufferPointer { ci in
            s.values.withUnsafeBufferPointer { vs in
                let (rp, ci, vs, xs) = (SharedPointer(rp), SharedPointer(ci), SharedPointer(vs), SharedPointer(buffer))
                Parallel.balancedChunks(weights: work) { owned in
                    let base = xs.value.baseAddress!
                    (base + owned.lowerBound * m).initialize(repeating: 0, count: owned.count * m)
                    let lo = Int32(owned.lowerBound), hi = Int32(owned.upperBound)
                    for u in 0..<s.rows {
                        let start = rp.value[u], end = rp.value[u + 1]
                        // Skip to the first like in the owned column range (rows are sorted).
                        var first = start, last = end
                        while first < last {
                            let mid = (first + last) / 2
                            if ci.value[mid] < lo { first = mid + 1 } else { last = mid }
                        }
                        var a = first
                        while a < end, ci.value[a] < hi {
                            let col = base + Int(ci.value[a]) * m
                            let w = vs.value[a]
                            for b in start...a { col[Int(ci.value[b])] += vs.value[b] * w }
                            a += 1
                        }
                    }
                }
            }}}
            initialized = m * m
        }
        return Matrix(rows: m, columns: m, columnMajor: storage)
    }

    public func scores(for users: [Int], history: SparseMatrix) -> Matrix {
        precondition(history.columns == itemCount, "history has \(history.columns) items, model \(itemCount)")
        let m = itemCount
        var out = Matrix(rows: m, columns: users.count)
        let likes = users.reduce(0) { $0 + history.rowPointers[$1 + 1] - history.rowPointers[$1] }
        history.rowPointers.withUnsafeBufferPointer { rp in
        history.columnIndices.withUnsafeBufferPointer { ci in
        history.values.withUnsafeBufferPointer { vs in
        transposedWeights.storage.withUnsafeBufferPointer { bt in
        out.storage.withUnsafeMutableBufferPointer { o in
            let (rp, ci, vs, bt, o) = (SharedPointer(rp), SharedPointer(ci), SharedPointer(vs),
                                       SharedPointer(bt), SharedPointer(o))
            Parallel.chunks(users.count, work: likes * m) { range in
                for col in range {
                    let u = users[col]
                    let dst = o.value.baseAddress! + col * m
                    for k in rp.value[u]..<rp.value[u + 1] {
                        let src = bt.value.baseAddress! + Int(ci.value[k]) * m
                        let w = vs.value[k]
                        for c in 0..<m { dst[c] += w * src[c] }
                    }
                }
            }
        }}}}}
        return out
    }
}
