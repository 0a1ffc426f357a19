import Foundation
import LinearAlgebra

/// How far a computed masked loss can be from the true one, and a cancellation-free evaluation
/// for when the implicit formula cannot be trusted (see docs/maths.md, "Accuracy of the loss").
///
/// The implicit loss L = T1 − 2·T2 + T3 − T4 with T1 = ‖VᵀV‖²_F, T2 = ⟨V, XV⟩, T3 = ‖X‖²_F and
/// T4 = Σ_i (n_i − X_ii)² subtracts terms that can be many orders of magnitude larger than L (a
/// diagonal of 1e12 makes T1 ≈ 1e24 while L ≈ 1e3). The bound below follows Higham's γ_n = n·u/(1 − n·u)
/// for sums of n products (any order, with or without FMA) and Cauchy–Schwarz for the magnitudes:
///
/// * T1: |ΔG_jk| ≤ γ_M·‖V_:j‖·‖V_:k‖, so |ΔT1| ≤ (2γ_M + γ_M²)·tr(G)² (+ γ_4·T1 for the squares and their sum);
/// * T2: |Δ(XV)| ≤ γ_K·|X||V| with K the longest inner product (M dense, the longest row of a sparse X,
///   the most likes of a user for SV), so |ΔT2| ≤ (2γ_K + γ_K² + γ_4)·a·tr(G), a = ‖X‖_F (≥ ‖|X|‖₂)
///   for an explicit X and a = tr(X) = ‖S‖²_F for X = SᵀS;
/// * T3: γ_3·T3 for an explicit X; for SᵀS its entries carry γ_r as well: (2γ_r + γ_r²)·tr(X)²;
/// * T4: |Δ(n_i − X_ii)| ≤ δ_i = γ_D·n_i + γ_N·X_ii + u·|n_i − X_ii|, so |ΔT4| ≤ Σ (2|r_i|·δ_i + δ_i²) + γ_3·T4;
/// * the compensated assembly of the four terms adds γ_3·(T1 + 2|T2| + T3 + T4).
///
/// The sum, times 1.01 for the second-order terms left out, is a rigorous bound.
public enum LossAccuracy {
    /// The relative accuracy every printed and compared loss must have: beyond it the
    /// cancellation-free evaluation takes over (when affordable).
    public static let relativeTarget = 1e-9
    /// Largest M²·D for which the direct O(M²·D) sum replaces the implicit value on every
    /// evaluation of an implicit problem (about a second of work); dense X is always affordable,
    /// its implicit evaluation already costs M²·D.
    public static let directBudget = 1e9
    /// Largest M²·D for the direct sum behind the one loss a run reports (its summary, its row in
    /// a comparison, `evaluate`): once per run, a few seconds at ml-latest-small's 9724² × 300,
    /// so that the reference problem's printed loss carries the digits it deserves.
    public static let reportedDirectBudget = 4e10
    /// Largest work (multiply-adds in double-double, `CompensatedLoss.work`) for which the
    /// compensated implicit evaluation replaces an inaccurate implicit value on every evaluation
    /// along a run, when the direct sum is over its budget; beyond it only the reported loss gets it.
    /// Ten to thirty plain losses (docs/maths.md): ml-latest-small up to D ≈ 58.
    public static let compensatedRunBudget = 2e7

    static let unitRoundoff = Double.ulpOfOne / 2

    static func gamma(_ n: Int) -> Double {
        let nu = Double(n) * unitRoundoff
        return nu < 0.5 ? nu / (1 - nu) : .infinity
    }

    /// The longest inner product in XV (or SV) and the magnitude a that bounds ‖|X|‖₂.
    static func operatorScale(_ problem: Problem) -> (length: Int, magnitude: Double, diagonalLength: Int) {
        switch problem.source {
        case let .interactions(s):
            var longest = 0
            if let distributed = problem.operator_ as? DistributedGramOperator {
                longest = distributed.longestUserRowBound // S here is only this participant's block
            } else {
                for u in 0..<s.rows { longest = max(longest, s.rowPointers[u + 1] - s.rowPointers[u]) }
            }
            let trace = problem.diagonal.reduce(0, +)
            return (max(longest, 1), trace, max(s.rows, 1))
        case .dense:
            return (problem.itemCount, problem.frobeniusNormSquared.squareRoot(), 0)
        case let .sparse(x):
            var longest = 0
            for r in 0..<x.rows { longest = max(longest, x.rowPointers[r + 1] - x.rowPointers[r]) }
            return (max(longest, 1), problem.frobeniusNormSquared.squareRoot(), 0)
        }
    }

    /// A rigorous bound on |computed − true| of the implicit loss, from the magnitudes of its
    /// terms. O(M + D²) beyond what the evaluation already computed.
    static func implicitBound(problem: Problem, gram: Matrix, gramNorm t1: Double, quadratic t2: Double,
                              rowNorms: [Double], rowTerms: (t4: Double, e4: Double)? = nil) -> Double {
        let m = problem.itemCount, d = gram.rows
        let gM = gamma(m), g3 = gamma(3), g4 = gamma(4)
        var trace = 0.0
        for j in 0..<d { trace += gram[j, j] }
        trace = trace * (1 + gM) / (1 - gM) // the computed diagonal can be below the exact one
        var e1 = (2 * gM + gM * gM) * trace * trace
        e1 += g4 * (t1 + e1)

        let (k, a, diagonalLength) = operatorScale(problem)
        let gK = gamma(k)
        let e2 = (2 * gK + gK * gK + g4) * a * trace + g4 * abs(t2)

        let t3 = problem.frobeniusNormSquared
        var e3 = g3 * t3
        if case .interactions = problem.source { e3 += (2 * gK + gK * gK) * a * a }

        var (t4, e4) = rowTerms ?? Self.rowTerms(problem: problem, gramRows: d, diagonalLength: diagonalLength, rowNorms: rowNorms,
                                                 firstRow: 0)
        e4 += g3 * t4
        let assembly = g3 * (t1 + 2 * abs(t2) + t3 + t4)
        return 1.01 * (e1 + 2 * e2 + e3 + e4 + assembly)
    }

    /// Σ (n_i − X_ii)² and its rounding error over the rows held (`rowNorms[k]` is row firstRow + k):
    /// the whole sum in one process, a participant's partial sum with local rows.
    static func rowTerms(problem: Problem, gramRows d: Int, diagonalLength: Int, rowNorms: [Double], firstRow: Int)
        -> (t4: Double, e4: Double) {
        let m = problem.itemCount
        let u = unitRoundoff
        let gD = gamma(d)
        let gDiagonal = diagonalLength > 0 ? gamma(diagonalLength) : 0
        var t4 = 0.0, e4 = 0.0
        for i in 0..<min(m - firstRow, rowNorms.count) {
            let n = rowNorms[i], x = problem.diagonal[firstRow + i]
            let r = n - x
            let delta = gD * abs(n) + gDiagonal * abs(x) + u * abs(r)
            t4 += r * r
            e4 += 2 * abs(r) * delta + delta * delta
        }
        return (t4, e4)
    }

    /// Whether the direct sum may replace the implicit value of `problem` on every evaluation.
    static func directIsAffordable(_ problem: Problem, dimension: Int, budget: Double = directBudget) -> Bool {
        if case .dense = problem.source { return true }
        let m = Double(problem.itemCount)
        return m * m * Double(dimension) <= budget
    }

    /// Σ_{i≠j} (v_iᵀv_j − X_ij)² with each residual formed before it is squared (X in column
    /// blocks, never M × M), and a rigorous bound on its rounding error: the residual carries
    /// δ_ij = γ_D·‖v_i‖‖v_j‖ + γ_r·√(X_ii X_jj) (X = SᵀS; 0 for an explicit X) + u·|r_ij|, so
    /// |ΔL| ≤ Σ (2|r_ij|·δ_ij + δ_ij²) + γ_3·L.
    public static func direct(problem: Problem, v: Matrix, blockSize: Int = 256) -> (loss: Double, bound: Double) {
        let m = problem.itemCount, d = v.columns
        precondition(v.rows == m, "embedding has \(v.rows) rows, the problem \(m) items")
        let u = unitRoundoff, gD = gamma(d)
        let (k, _, _) = operatorScale(problem)
        var gX = 0.0
        if case .interactions = problem.source { gX = gamma(k) }
        let norms = v.rowNormsSquared.map { $0.squareRoot() * (1 + gD) }
        let diagonalRoots = problem.diagonal.map { abs($0).squareRoot() }
        var total = CompensatedSum(), error = 0.0
        MaskedLoss.forEachResidualBlock(problem: problem, v: v, blockSize: blockSize) { start, r in
            for c in 0..<r.columns {
                let j = start + c
                for i in 0..<m where i != j {
                    let residual = r[i, c]
                    total.add(residual * residual)
                    let delta = gD * norms[i] * norms[j] + gX * diagonalRoots[i] * diagonalRoots[j] + u * abs(residual)
                    error += 2 * abs(residual) * delta + delta * delta
                }
            }
        }
        let loss = total.value
        let bound = 1.01 * (error + gamma(3) * loss)
        if bound > relativeTarget * loss, Double(m) * Double(m) * Double(d) <= compensatedBudget {
            return compensated(problem: problem, v: v)
        }
        return (loss, bound)
    }

    /// Largest M²·D for the compensated direct sum (about 10 flops per multiply-add).
    public static let compensatedBudget = 2e8

    /// The direct sum with every v_iᵀv_j − X_ij formed in double-double (Ogita, Rump & Oishi's
    /// Dot2: TwoProduct by FMA, TwoSum): the residual is exact to u·|r| + γ_D²·‖v_i‖‖v_j‖, so even
    /// rows of norm 1e6 fitting entries of 8 (a diagonal of 1e12) give the loss to ~1e-16 relative.
    static func compensated(problem: Problem, v: Matrix) -> (loss: Double, bound: Double) {
        let m = problem.itemCount, d = v.columns
        let u = unitRoundoff, gD = gamma(d), g2 = gamma(d + 1) * gamma(d + 1)
        var rows = [Double](repeating: 0, count: m * d)
        for k in 0..<d { for i in 0..<m { rows[i * d + k] = v[i, k] } }
        let norms = v.rowNormsSquared.map { $0.squareRoot() * (1 + gD) }
        var gX = 0.0
        var x: Matrix
        switch problem.source {
        case let .interactions(s):
            x = Matrix(rows: m, columns: m) // M² is within the budget here; S is never densified
            for user in 0..<s.rows {
                for p in s.rowPointers[user]..<s.rowPointers[user + 1] {
                    let a = Int(s.columnIndices[p]), sa = s.values[p]
                    for q in s.rowPointers[user]..<s.rowPointers[user + 1] { x[a, Int(s.columnIndices[q])] += sa * s.values[q] }
                }
            }
            gX = gamma(operatorScale(problem).length)
        case let .dense(dense): x = dense
        case let .sparse(sparse): x = sparse.dense
        }
        let diagonalRoots = problem.diagonal.map { abs($0).squareRoot() }
        var total = CompensatedSum(), error = 0.0
        rows.withUnsafeBufferPointer { p in
            for i in 0..<m {
                let vi = p.baseAddress! + i * d
                for j in 0..<m where j != i {
                    let vj = p.baseAddress! + j * d
                    // s + c = Σ v_ik v_jk − X_ij in double-double.
                    var s = -x[i, j], c = 0.0
                    for k in 0..<d {
                        let product = vi[k] * vj[k]
                        let productError = fma(vi[k], vj[k], -product)
                        let t = s + product
                        let z = t - s
                        c += (s - (t - z)) + (product - z) + productError
                        s = t
                    }
                    let residual = s + c
                    total.add(residual * residual)
                    let delta = u * abs(residual) + 2 * g2 * norms[i] * norms[j] + gX * diagonalRoots[i] * diagonalRoots[j]
                    error += 2 * abs(residual) * delta + delta * delta
                }
            }
        }
        let loss = total.value
        return (loss, 1.01 * (error + gamma(3) * loss))
    }
}

extension MaskedLoss {
    /// The implicit value when its bound meets `relativeTarget`; otherwise the direct sum where
    /// affordable, else the compensated implicit evaluation within `compensatedBudget` (the
    /// replacement's bound replaces the implicit one). NaN and infinities pass through.
    ///
    /// A distributed problem keeps the implicit value: both replacements need all of S (the
    /// direct sum its columns, the compensated T2 = ‖Σ_b S_b V_b‖² whole rows), while each
    /// participant holds one item block, and an allreduce of double-double partial products would
    /// ship N × D pairs per evaluation. Its printed loss keeps the digits its bound supports.
    func refined(_ value: Double, _ v: Matrix) -> Double {
        lastEvaluationWasDirect = false
        lastEvaluationWasCompensated = false
        guard allowsDirectRefinement, problem.distribution == nil, value.isFinite,
              lastErrorBound > LossAccuracy.relativeTarget * value else { return value }
        if allowsDirectSum, LossAccuracy.directIsAffordable(problem, dimension: dimension, budget: directBudget) {
            let (exact, bound) = LossAccuracy.direct(problem: problem, v: v)
            lastErrorBound = bound
            lastEvaluationWasDirect = true
            return exact
        }
        guard CompensatedLoss.work(problem, dimension: dimension) <= compensatedBudget else { return value }
        let evaluator = compensatedLoss ?? CompensatedLoss(problem: problem)
        compensatedLoss = evaluator
        let (compensated, bound) = evaluator.evaluate(v)
        guard compensated.isFinite, bound < lastErrorBound else { return value }
        lastErrorBound = bound
        lastEvaluationWasCompensated = true
        return compensated
    }

    /// The budgets of the one loss a run or `evaluate` reports: the direct sum up to
    /// `reportedDirectBudget`, the compensated evaluation whatever its cost (it is linear in nnz and M).
    public func useReportedBudgets() {
        directBudget = LossAccuracy.reportedDirectBudget
        compensatedBudget = .infinity
    }
}

extension SolverResult {
    /// Re-evaluates the final loss with its error bound (a fresh objective, so the run's
    /// evaluation counters are untouched); a direct or compensated evaluation replaces the
    /// reported value.
    mutating func attachErrorBound(problem: Problem) {
        // With local rows the evaluation below is collective: every participant must take the
        // same branch, so finiteness is agreed on (the shapes are checked by the driver).
        guard embedding.rows == problem.heldRows.count, embedding.columns >= 1, problem.itemSums.everywhere(embedding.isFinite),
              let check = try? MaskedLoss(problem: problem, dimension: embedding.columns) else { return }
        check.useReportedBudgets()
        let value = check.loss(embedding)
        guard value.isFinite else { return }
        lossErrorBound = check.lastErrorBound
        if check.lastEvaluationWasDirect || check.lastEvaluationWasCompensated { finalLoss = value }
    }
}
