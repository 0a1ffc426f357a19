import LinearAlgebra

/// A masked factorisation problem: find V (M × D) minimising Σ_{i≠j} (v_iᵀv_j − X_ij)².
///
/// Holds X in whichever form it came, its diagonal and the norms every loss evaluation needs, so
/// they are computed once.
public struct Problem: Sendable {
    public let source: CooccurrenceSource
    /// M, the number of items (order of X).
    public let itemCount: Int
    /// X_ii (likes per item for X = SᵀS).
    public let diagonal: [Double]
    /// ‖X‖²_F, with X = SᵀS computed as ‖SSᵀ‖²_F or ‖SᵀS‖²_F (the cheaper) without forming X.
    public let frobeniusNormSquared: Double
    /// ‖offdiag X‖²_F = ‖X‖²_F − Σ X_ii²: the loss of V = 0.
    public let offDiagonalNormSquared: Double
    /// X as an operator (implicit SᵀS, dense, or sparse).
    public let operator_: any SymmetricOperator
    /// Set when S is split by item blocks over several participants (MPI ranks): `source` then
    /// holds only this participant's block (see `init(interactionsBlock:distribution:)`).
    public private(set) var distribution: ItemDistribution? = nil

    init(source: CooccurrenceSource, itemCount: Int, diagonal: [Double], frobeniusNormSquared: Double,
         offDiagonalNormSquared: Double, operator: any SymmetricOperator, distribution: ItemDistribution?) {
        self.source = source
        self.itemCount = itemCount
        self.diagonal = diagonal
        self.frobeniusNormSquared = frobeniusNormSquared
        self.offDiagonalNormSquared = offDiagonalNormSquared
        self.operator_ = `operator`
        self.distribution = distribution
    }

    /// X = SᵀS for interactions S. ‖X‖²_F is accumulated on the cheaper side (`GramNorm`), or
    /// on `normSide` when given; `progress` hears about that accumulation (it never prints).
    public init(interactions s: SparseMatrix, normSide: GramNorm.Side? = nil,
                progress: (@Sendable (GramNorm.Progress) -> Void)? = nil) throws {
        guard s.columns > 0 else { throw ProblemError.emptyProblem }
        guard s.values.allSatisfy({ $0.isFinite }) else { throw ProblemError.nonFinite("the interaction matrix has NaN or infinite entries") }
        self.source = .interactions(s)
        self.itemCount = s.columns
        let gram = GramOperator(s)
        self.operator_ = gram
        self.diagonal = gram.diagonal
        self.frobeniusNormSquared = GramNorm.frobeniusNormSquared(s, side: normSide, progress: progress)
        var diag = CompensatedSum()
        for x in diagonal { diag.add(x * x) }
        self.offDiagonalNormSquared = frobeniusNormSquared - diag.value
    }

    /// An explicit dense symmetric X (symmetry checked to `symmetryTolerance · max(1, max|x_ij|)`).
    public init(dense x: Matrix, symmetryTolerance: Double = 1e-9) throws {
        guard x.rows > 0 else { throw ProblemError.emptyProblem }
        guard x.isSquare else { throw ProblemError.shapeMismatch("X is \(x.rows)×\(x.columns), it must be square") }
        guard x.isFinite else { throw ProblemError.nonFinite("X has NaN or infinite entries") }
        let scale = max(1, x.storage.lazy.map(abs).max() ?? 0)
        let asym = x.maxAsymmetry
        guard asym <= symmetryTolerance * scale else {
            throw ProblemError.notSymmetric("max |x_ij − x_ji| = \(asym) exceeds \(symmetryTolerance) × max(1, max|x_ij|) = \(symmetryTolerance * scale)")
        }
        // Symmetrise exactly so that the upper triangle BLAS reads is the matrix the loss sees.
        var sym = x
        let m = x.rows
        for j in 0..<m { for i in 0..<j { let a = 0.5 * (x[i, j] + x[j, i]); sym[i, j] = a; sym[j, i] = a } }
        self.source = .dense(sym)
        self.itemCount = m
        self.operator_ = try DenseSymmetricOperator(sym, tolerance: 0)
        self.diagonal = sym.diagonal
        self.frobeniusNormSquared = sym.frobeniusNormSquared
        // Summed directly: ‖X‖² − Σ X_ii² loses every digit when the diagonal dominates.
        var off = CompensatedSum()
        for j in 0..<m { for i in 0..<m where i != j { off.add(sym[i, j] * sym[i, j]) } }
        self.offDiagonalNormSquared = off.value
    }

    /// An explicit sparse symmetric X (both triangles stored).
    public init(sparse x: SparseMatrix, symmetryTolerance: Double = 1e-9) throws {
        guard x.rows > 0 else { throw ProblemError.emptyProblem }
        guard x.rows == x.columns else { throw ProblemError.shapeMismatch("X is \(x.rows)×\(x.columns), it must be square") }
        guard x.values.allSatisfy({ $0.isFinite }) else { throw ProblemError.nonFinite("X has NaN or infinite entries") }
        let scale = max(1, x.values.lazy.map(abs).max() ?? 0)
        guard x.isSymmetric(tolerance: symmetryTolerance * scale) else {
            throw ProblemError.notSymmetric("some |x_ij − x_ji| exceeds \(symmetryTolerance) × max(1, max|x_ij|) = \(symmetryTolerance * scale)")
        }
        self.source = .sparse(x)
        self.itemCount = x.rows
        self.operator_ = try SparseSymmetricOperator(x, tolerance: symmetryTolerance)
        self.diagonal = (0..<x.rows).map { x[$0, $0] }
        var fro = CompensatedSum()
        for r in 0..<x.rows {
            for k in x.rowPointers[r]..<x.rowPointers[r + 1] {
                let v = x.values[k]
                fro.add(v * v)
            }
        }
        self.frobeniusNormSquared = fro.value
        var off = CompensatedSum()
        for r in 0..<x.rows {
            for k in x.rowPointers[r]..<x.rowPointers[r + 1] where Int(x.columnIndices[k]) != r { off.add(x.values[k] * x.values[k]) }
        }
        self.offDiagonalNormSquared = off.value
    }

    /// Checks an embedding dimension against the problem: 1 ≤ D ≤ M.
    public func validate(dimension d: Int) throws {
        guard d >= 1, d <= itemCount else { throw ProblemError.invalidDimension(requested: d, itemCount: itemCount) }
    }

    /// The largest off-diagonal X_ij and where it is (for reports; costs Σ_u likes(u)²).
    public func largestOffDiagonal() -> (value: Double, i: Int, j: Int) {
        var best = (value: -Double.infinity, i: 0, j: 0)
        switch source {
        case let .dense(x):
            for j in 0..<x.columns { for i in 0..<j where x[i, j] > best.value { best = (x[i, j], i, j) } }
        case let .sparse(x):
            for r in 0..<x.rows {
                for k in x.rowPointers[r]..<x.rowPointers[r + 1] where Int(x.columnIndices[k]) > r && x.values[k] > best.value {
                    best = (x.values[k], r, Int(x.columnIndices[k]))
                }
            }
            if best.value < 0, x.nonzeroCount < x.rows * (x.rows - 1) { best = (0, 0, 1) }
        case let .interactions(s):
            let st = s.transposed
            var scratch = [Double](repeating: 0, count: s.columns)
            var touched: [Int] = []
            for i in 0..<s.columns {
                for q in st.rowPointers[i]..<st.rowPointers[i + 1] {
                    let u = Int(st.columnIndices[q]), a = st.values[q]
                    for k in s.rowPointers[u]..<s.rowPointers[u + 1] where Int(s.columnIndices[k]) > i {
                        let j = Int(s.columnIndices[k])
                        if scratch[j] == 0 { touched.append(j) }
                        scratch[j] += a * s.values[k]
                    }
                }
                for j in touched where scratch[j] > best.value { best = (scratch[j], i, j) }
                for j in touched { scratch[j] = 0 }
                touched.removeAll(keepingCapacity: true)
            }
            if best.value < 0 { best = (0, 0, min(1, s.columns - 1)) }
        }
        return best
    }
}
