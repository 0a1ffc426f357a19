import LinearAlgebra

/// The masked loss L(V) = Σ_{i≠j} (v_iᵀv_j − X_ij)² and its gradient, evaluated without forming
/// any M × M matrix when X = SᵀS.
///
/// With G = VᵀV and n_i = ‖v_i‖²:
///
///     L(V) = ‖G‖²_F − 2·⟨V, XV⟩ + ‖X‖²_F − Σ_i (n_i − X_ii)²
///     ∇L(V) = 4·[V·G − XV − diag(n_i − X_ii)·V]
///
/// where ⟨V, XV⟩ = ‖SV‖²_F and XV = Sᵀ(SV) for interactions. Each evaluation costs one syrk
/// (M·D²), one gemm for the gradient (2·M·D²) and O(nnz(S)·D) sparse work. The workspace is
/// reused between calls, so an evaluation allocates nothing of size M × D.
///
/// Accuracy: the first three terms cancel when the fit is good. Each is accumulated with
/// compensated summation, so the absolute error is a few units of ε·D·(‖G‖²_F + ‖X‖²_F) from the
/// rounding of G's entries (see docs/maths.md); relative to L that is ε·D·‖X‖²_F / L.
public final class MaskedLoss {
    public let problem: Problem
    public let dimension: Int

    private var gram: Matrix
    private var xv: Matrix
    /// SV (users × D) of the unblocked paths, allocated on their first use: the item-block scheme
    /// (the default) keeps its own, and at 500,000 users × D = 128 an idle one is 0.5 GB.
    private var sv: Matrix
    private let sTransposed: SparseMatrix?
    /// ‖v_i‖² for the fused interactions path.
    private var rowNormsBuffer: [Double] = []
    /// n_i − X_ii for the fused path (and scratch for the second half's partial row norms).
    private var excessBuffer: [Double] = []

    /// The scheme new losses use for loss + gradient with X = SᵀS (benchmarks switch it).
    nonisolated(unsafe) public static var defaultEvaluationScheme: EvaluationScheme = .blocks
    /// How loss + gradient run for X = SᵀS (see `EvaluationScheme`).
    public var evaluationScheme: EvaluationScheme = MaskedLoss.defaultEvaluationScheme
    /// The item blocks and their thread team, made on the first blocked evaluation.
    private var blocked: BlockedObjective?
    /// Set when the problem is split over participants (`Problem.distribution`).
    private var distributed: DistributedObjective?

    /// VᵀV at the V of the last evaluation (full symmetric storage; every path computes it).
    public var gramOfLastEvaluation: Matrix { gram }

    /// Evaluations of the loss (with or without gradient).
    public private(set) var lossEvaluations = 0
    /// Evaluations of the gradient.
    public private(set) var gradientEvaluations = 0
    /// Applications of X to a vector (a block of D vectors counts D).
    public private(set) var operatorApplications = 0
    /// Rigorous bound on the rounding error of the last loss value (LossAccuracy.swift).
    public internal(set) var lastErrorBound = 0.0
    /// Whether the last value came from the direct sum (the implicit one was not accurate enough).
    public internal(set) var lastEvaluationWasDirect = false
    /// Off in tests that check the implicit value against its bound.
    var allowsDirectRefinement = true
    /// Largest M²·D for which a loss whose bound misses `LossAccuracy.relativeTarget` is
    /// re-evaluated by the direct sum (`LossAccuracy.directBudget` for the losses along a run,
    /// `reportedDirectBudget` for the one a run or `evaluate` reports).
    public var directBudget = LossAccuracy.directBudget
    /// Whether the last value came from the compensated implicit evaluation (`CompensatedLoss`).
    public internal(set) var lastEvaluationWasCompensated = false
    /// Largest work (`CompensatedLoss.work`) for which a loss whose bound misses the target, and
    /// that the direct sum cannot afford, is re-evaluated by the compensated implicit formula.
    public var compensatedBudget = LossAccuracy.compensatedRunBudget
    /// Off in tests that make the compensated evaluation run where the direct sum would.
    var allowsDirectSum = true
    /// Made on first use (it caches ‖X‖²_F and X_ii as exact pairs).
    var compensatedLoss: CompensatedLoss?

    public init(problem: Problem, dimension: Int) throws {
        try problem.validate(dimension: dimension)
        self.problem = problem
        self.dimension = dimension
        self.gram = Matrix(rows: dimension, columns: dimension)
        // Allocated on first use: the fused interactions path never needs XV (23 MB at M = 9724, D = 300).
        self.xv = Matrix(rows: 0, columns: 0)
        self.sv = Matrix(rows: 0, columns: 0)
        if case let .interactions(s) = problem.source {
            // The problem's GramOperator already holds Sᵀ: share it (12 bytes per like, 0.6 GB at 50 M likes).
            self.sTransposed = (problem.operator_ as? GramOperator).map(\.transposedInteractions) ?? s.transposed
            self.rowNormsBuffer = [Double](repeating: 0, count: problem.heldRows.count)
            self.excessBuffer = [Double](repeating: 0, count: problem.itemCount)
        } else {
            self.sTransposed = nil
        }
        if let distribution = problem.distribution, case let .interactions(s) = problem.source {
            self.distributed = DistributedObjective(localBlock: s, dimension: dimension, distribution: distribution)
        }
    }

    private func checkShape(_ v: Matrix) {
        precondition(v.rows == problem.heldRows.count && v.columns == dimension,
                     "embedding is \(v.rows)×\(v.columns), the problem needs \(problem.heldRows.count)×\(dimension)")
    }

    /// ⟨V, XV⟩; fills `xv` with XV when `needXV` (always for explicit X).
    private func quadraticForm(_ v: Matrix, needXV: Bool) -> Double {
        operatorApplications += dimension
        if xv.rows != problem.itemCount { xv = Matrix(rows: problem.itemCount, columns: dimension) }
        switch problem.source {
        case let .interactions(s):
            allocateSV(users: s.rows)
            s.multiply(v, into: &sv)
            if needXV { sTransposed!.multiply(sv, into: &xv) }
            return sv.frobeniusNormSquared
        case let .dense(x):
            BLAS.symm(x, v, into: &xv)
            return Self.innerProduct(v, xv)
        case let .sparse(x):
            x.multiply(v, into: &xv)
            return Self.innerProduct(v, xv)
        }
    }

    static func innerProduct(_ a: Matrix, _ b: Matrix) -> Double {
        var sum = CompensatedSum()
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                for k in 0..<pa.count { sum.add(pa[k] * pb[k]) }
            }
        }
        return sum.value
    }

    private func assemble(_ v: Matrix, gramNorm: Double, quadratic: Double, rowNorms: [Double]) -> Double {
        // Held rows: all items, or (local rows) this participant's block, whose partial sums of the
        // row terms and of their error bound are completed in one collective of three numbers.
        let firstRow = problem.heldRows.lowerBound
        var diag = CompensatedSum()
        for i in 0..<rowNorms.count {
            let r = rowNorms[i] - problem.diagonal[firstRow + i]
            diag.add(r * r)
        }
        var diagonalTerm = diag.value
        var rowTerms: (t4: Double, e4: Double)? = nil
        let sums = problem.itemSums
        if sums.isDistributed {
            let local = LossAccuracy.rowTerms(problem: problem, gramRows: gram.rows,
                                              diagonalLength: LossAccuracy.operatorScale(problem).diagonalLength,
                                              rowNorms: rowNorms, firstRow: firstRow)
            var parts = [diagonalTerm, local.t4, local.e4]
            sums.reduce(&parts)
            diagonalTerm = parts[0]
            rowTerms = (parts[1], parts[2])
        }
        var total = CompensatedSum()
        total.add(gramNorm)
        total.add(problem.frobeniusNormSquared)
        total.add(-2 * quadratic)
        total.add(-diagonalTerm)
        // The masked loss is a sum of squares: a tiny negative value is rounding. NaN stays NaN
        // (Swift's max(0, .nan) is 0, which once reported diverged runs as converged).
        let value = total.value
        lastErrorBound = LossAccuracy.implicitBound(problem: problem, gram: gram, gramNorm: gramNorm, quadratic: quadratic,
                                                    rowNorms: rowNorms, rowTerms: rowTerms)
        return refined(value < 0 ? 0 : value, v)
    }

    /// L(V).
    public func loss(_ v: Matrix) -> Double {
        checkShape(v)
        lossEvaluations += 1
        if let distributed {
            operatorApplications += dimension
            let parts = distributed.evaluate(v, diagonal: problem.diagonal, gradient: nil, gram: &gram, rowNorms: &rowNormsBuffer)
            return assemble(v, gramNorm: parts.gramNorm, quadratic: parts.quadratic, rowNorms: rowNormsBuffer)
        }
        if case let .interactions(s) = problem.source, s.nonzeroCount > 0 {
            if usesBlocks(s) { // the same sums as lossAndGradient: a loss is the same number either way
                operatorApplications += dimension
                let parts = blockedObjective.evaluateLoss(v, diagonal: problem.diagonal, gram: &gram, rowNorms: &rowNormsBuffer)
                return assemble(v, gramNorm: parts.gramNorm, quadratic: parts.quadratic, rowNorms: rowNormsBuffer)
            }
            operatorApplications += dimension
            let quadratic = productAndRowNorms(v)
            BLAS.syrk(.transpose, v, into: &gram)
            return assemble(v, gramNorm: Self.symmetricNormSquared(gram), quadratic: quadratic, rowNorms: rowNormsBuffer)
        }
        BLAS.syrk(.transpose, v, into: &gram)
        let quadratic = quadraticForm(v, needXV: false)
        return assemble(v, gramNorm: gram.frobeniusNormSquared, quadratic: quadratic, rowNorms: v.rowNormsSquared)
    }

    /// L(V), writing ∇L(V) into `gradient` (M × D). Loss and gradient share VᵀV and XV.
    public func lossAndGradient(_ v: Matrix, gradient: inout Matrix) -> Double {
        checkShape(v)
        precondition(gradient.rows == v.rows && gradient.columns == v.columns, "gradient buffer has the wrong shape")
        lossEvaluations += 1
        gradientEvaluations += 1
        if let distributed {
            operatorApplications += dimension
            let parts = gradient.storage.withUnsafeMutableBufferPointer { gb in
                distributed.evaluate(v, diagonal: problem.diagonal, gradient: gb.baseAddress!, gram: &gram, rowNorms: &rowNormsBuffer)
            }
            return assemble(v, gramNorm: parts.gramNorm, quadratic: parts.quadratic, rowNorms: rowNormsBuffer)
        }
        if case let .interactions(s) = problem.source, s.nonzeroCount > 0 {
            if usesBlocks(s) { return blockedLossAndGradient(v, gradient: &gradient) }
            return fusedLossAndGradient(s, v, gradient: &gradient)
        }
        BLAS.syrk(.transpose, v, into: &gram)
        let quadratic = quadraticForm(v, needXV: true)
        let rowNorms = v.rowNormsSquared
        let value = assemble(v, gramNorm: gram.frobeniusNormSquared, quadratic: quadratic, rowNorms: rowNorms)
        // gradient = 4·(V·G − XV − diag(n − X_ii)·V): gemm writes 4·V·G, one pass finishes it.
        BLAS.gemm(.none, v, .none, gram, alpha: 4, beta: 0, into: &gradient)
        let m = v.rows
        let diagonal = problem.diagonal
        var excess = [Double](repeating: 0, count: m)
        for i in 0..<m { excess[i] = 4 * (rowNorms[i] - diagonal[i]) }
        v.storage.withUnsafeBufferPointer { vs in
            xv.storage.withUnsafeBufferPointer { xs in
                gradient.storage.withUnsafeMutableBufferPointer { gs in
                    excess.withUnsafeBufferPointer { ex in
                        for j in 0..<dimension {
                            let base = j * m
                            for i in 0..<m {
                                gs[base + i] -= 4 * xs[base + i] + ex[i] * vs[base + i]
                            }
                        }
                    }
                }
            }
        }
        return value
    }

    /// The interactions path: one pass over V gives SV and the row norms (streaming over items),
    /// one fused pass writes −4·(XV + diag(n − X_ii)·V) with XV = Sᵀ(SV), then syrk gives VᵀV
    /// and gemm adds 4·V·G with β = 1 (no separate assembly pass, no XV buffer). The sparse work
    /// runs before the two BLAS calls so that they follow each other directly.
    private func fusedLossAndGradient(_ s: SparseMatrix, _ v: Matrix, gradient: inout Matrix) -> Double {
        operatorApplications += dimension
        let m = v.rows
        let diagonal = problem.diagonal
        let quadratic = productAndRowNorms(v)
        rowNormsBuffer.withUnsafeBufferPointer { norms in
            excessBuffer.withUnsafeMutableBufferPointer { ex in
                for i in 0..<m { ex[i] = norms[i] - diagonal[i] }
            }
        }
        sv.storage.withUnsafeBufferPointer { svp in
            excessBuffer.withUnsafeBufferPointer { ex in
                ImplicitKernels.assembleColumns(st: sTransposed!, sv: svp.baseAddress!, v: v, excess: ex.baseAddress!,
                                                gradient: &gradient)
            }
        }
        BLAS.syrk(.transpose, v, into: &gram)
        let value = assemble(v, gramNorm: Self.symmetricNormSquared(gram), quadratic: quadratic, rowNorms: rowNormsBuffer)
        BLAS.gemm(.none, v, .none, gram, alpha: 4, beta: 1, into: &gradient)
        return value
    }

    /// Whether loss and loss + gradient take the item-block path (too little work: one thread).
    private func usesBlocks(_ s: SparseMatrix) -> Bool {
        evaluationScheme == .blocks && ProcessInfoCores.count > 1
            && (s.nonzeroCount + problem.itemCount) * dimension >= ImplicitKernels.parallelThreshold
    }

    private var blockedObjective: BlockedObjective {
        if let blocked { return blocked }
        let made = BlockedObjective(st: sTransposed!, dimension: dimension, blockCount: ProcessInfoCores.count)
        blocked = made
        return made
    }

    /// The item-block scheme (`BlockedObjective`): one block per core, single-threaded BLAS.
    private func blockedLossAndGradient(_ v: Matrix, gradient: inout Matrix) -> Double {
        operatorApplications += dimension
        let parts = blockedObjective.evaluate(v, diagonal: problem.diagonal, gradient: &gradient, gram: &gram, rowNorms: &rowNormsBuffer)
        return assemble(v, gramNorm: parts.gramNorm, quadratic: parts.quadratic, rowNorms: rowNormsBuffer)
    }

    /// SV into `sv` and ‖v_i‖² into `rowNormsBuffer` in one pass over V (interactions only);
    /// returns ‖SV‖²_F. `excessBuffer` serves as scratch.
    private func productAndRowNorms(_ v: Matrix) -> Double {
        allocateSV(users: sTransposed!.columns)
        return rowNormsBuffer.withUnsafeMutableBufferPointer { norms in
            excessBuffer.withUnsafeMutableBufferPointer { scratch in
                ImplicitKernels.productAndRowNorms(st: sTransposed!, v: v, sv: &sv, norms: norms.baseAddress!,
                                                   scratch: scratch.baseAddress!)
            }
        }
    }

    private func allocateSV(users: Int) {
        if sv.rows != users || sv.columns != dimension { sv = Matrix(rows: users, columns: dimension) }
    }

    /// ‖G‖²_F of a symmetric G from its upper triangle: Σ G_jj² + 2·Σ_{i<j} G_ij² (compensated),
    /// half the terms of the full sum.
    static func symmetricNormSquared(_ g: Matrix) -> Double {
        precondition(g.isSquare)
        let n = g.rows
        return g.storage.withUnsafeBufferPointer { p in
            var off = CompensatedSum(), diag = CompensatedSum()
            for j in 0..<n {
                let col = p.baseAddress! + j * n
                for i in 0..<j { off.add(col[i] * col[i]) }
                diag.add(col[j] * col[j])
            }
            var total = CompensatedSum()
            total.add(2 * off.value)
            total.add(diag.value)
            return total.value
        }
    }

    /// ∇L(V) as a new matrix, with the loss.
    public func evaluate(_ v: Matrix) -> (loss: Double, gradient: Matrix) {
        var g = Matrix(rows: v.rows, columns: v.columns)
        let l = lossAndGradient(v, gradient: &g)
        return (l, g)
    }

    /// XV for the current problem (used by methods that need the operator product directly).
    public func applyX(_ v: Matrix) -> Matrix {
        checkShape(v)
        if problem.distribution != nil { // the distributed operator: S_{:,b} only on this participant
            operatorApplications += dimension
            if problem.itemSums.isDistributed, let own = problem.operator_ as? DistributedGramOperator {
                return own.applyOwnRows(v) // local rows: v and the result are the block's rows
            }
            var product = Matrix(rows: v.rows, columns: v.columns)
            problem.operator_.apply(v, into: &product)
            return product
        }
        _ = quadraticForm(v, needXV: true)
        return xv
    }
}

extension MaskedLoss {
    /// The masked loss by the definition, a double loop over all pairs i ≠ j with X formed densely.
    /// O(M²·D): for tests and for checking printed numbers on small problems only.
    public static func bruteForce(x: Matrix, v: Matrix) -> Double {
        precondition(x.isSquare && x.rows == v.rows)
        var sum = CompensatedSum()
        for i in 0..<v.rows {
            for j in 0..<v.rows where j != i {
                var dot = 0.0
                for k in 0..<v.columns { dot += v[i, k] * v[j, k] }
                let r = dot - x[i, j]
                sum.add(r * r)
            }
        }
        return sum.value
    }
}
