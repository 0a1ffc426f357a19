import Foundation
import LinearAlgebra

/// Factor analysis on top of any solver of the masked loss: with R a correlation matrix, the
/// minimiser of Σ_{i≠j}(R_ij − v_iᵀv_j)² is the minres (ULS) factor solution, and iterated
/// principal axis converges to it. A solver returns its loadings in an arbitrary orthogonal
/// frame; `principalAxisOrientation` takes every solver's loadings to one frame, so rotations
/// and printed tables agree whichever solver made them.
public enum FactorAnalysis {
    /// Λ·Q with Q the eigenvectors of ΛᵀΛ (eigenvalues descending): orthogonal columns whose
    /// sums of squares are ΛΛᵀ's nonzero eigenvalues — the principal-axis loadings U_k Λ_k^½ of
    /// the fitted ΛΛᵀ — each signed to a non-negative column sum. ΛΛᵀ is unchanged.
    public static func principalAxisOrientation(_ loadings: Matrix) throws -> Matrix {
        guard loadings.isFinite else { throw EvaluationError.nonFinite("factor loadings") }
        guard loadings.columns >= 1 else { return loadings }
        let eigen: (values: [Double], vectors: Matrix)
        do { eigen = try LAPACK.symmetricEigen(BLAS.gram(loadings)) } catch {
            throw EvaluationError.invalidArgument("eigendecomposition of ΛᵀΛ failed: \(error)")
        }
        return signedToPositiveSums(BLAS.multiply(loadings, .none, eigen.vectors, .none)).matrix
    }

    /// The reported solution: orientation, rotation, column order by SS loadings and signs.
    /// - Parameters:
    ///   - loadings: any solver's p × k loadings (v_i of the masked loss).
    ///   - diagonal: R_ii (1 for a correlation matrix).
    ///   - maskedLoss: the fit's masked loss, as the solver computed it from R.
    public static func solution(loadings: Matrix, diagonal: [Double], maskedLoss: Double,
                                rotation: FactorRotation) throws -> FactorSolution {
        let (p, k) = (loadings.rows, loadings.columns)
        guard diagonal.count == p else {
            throw EvaluationError.shapeMismatch("loadings have \(p) rows, the matrix has \(diagonal.count) variables")
        }
        guard maskedLoss.isFinite, maskedLoss >= 0 else { throw EvaluationError.nonFinite("masked loss \(maskedLoss)") }
        let oriented = try principalAxisOrientation(loadings)
        var pattern: Matrix
        var phi: Matrix?
        switch rotation {
        case .none: pattern = oriented
        case .varimax: pattern = try Rotation.varimax(oriented).loadings
        case .promax:
            let r = try Rotation.promax(oriented)
            pattern = r.pattern
            phi = r.phi
        }
        // Order by variance accounted for, then sign each column to a non-negative sum
        // (flipping a factor flips its row and column of Φ).
        let ss = ssLoadings(pattern, phi: phi)
        let order = (0..<k).sorted { ss[$0] > ss[$1] || (ss[$0] == ss[$1] && $0 < $1) }
        pattern = Matrix(rows: p, columns: k) { i, j in pattern[i, order[j]] }
        if let f = phi { phi = Matrix(rows: k, columns: k) { a, b in f[order[a], order[b]] } }
        let signed = signedToPositiveSums(pattern)
        pattern = signed.matrix
        if let f = phi { phi = Matrix(rows: k, columns: k) { a, b in f[a, b] * signed.signs[a] * signed.signs[b] } }

        let h2 = communalities(pattern, phi: phi)
        let vx = ssLoadings(pattern, phi: phi)
        let total = diagonal.reduce(0, +)
        let explained = vx.reduce(0, +)
        func cumulative(_ xs: [Double]) -> [Double] { var s = 0.0; return xs.map { s += $0; return s } }
        let proportion = vx.map { $0 / total }
        let share = vx.map { $0 / explained }
        let complexity: [Double?] = (0..<p).map { i in
            var s2 = 0.0, s4 = 0.0
            for j in 0..<k { let x = pattern[i, j] * pattern[i, j]; s2 += x; s4 += x * x }
            return s4 > 0 ? s2 * s2 / s4 : nil
        }
        let pairs = Double(p) * Double(p - 1)
        return FactorSolution(rotation: rotation, loadings: pattern, phi: phi, communalities: h2,
                              uniquenesses: zip(diagonal, h2).map { $0 - $1 }, complexity: complexity,
                              ssLoadings: vx, proportionVariance: proportion, cumulativeVariance: cumulative(proportion),
                              proportionExplained: share, cumulativeProportion: cumulative(share),
                              maskedLoss: maskedLoss, rmsr: pairs > 0 ? (maskedLoss / pairs).squareRoot() : 0)
    }

    /// The correlation matrix of the columns of a data matrix (n observations × p variables).
    public static func correlation(of data: Matrix, names: [String]? = nil) throws -> Matrix {
        let (n, p) = (data.rows, data.columns)
        guard n >= 2 else { throw EvaluationError.invalidArgument("a correlation needs at least 2 observations, got \(n)") }
        guard data.isFinite else { throw EvaluationError.nonFinite("the data matrix has NaN or infinite entries") }
        var z = data
        for j in 0..<p {
            var mean = 0.0
            for i in 0..<n { mean += z[i, j] }
            mean /= Double(n)
            var ss = 0.0
            for i in 0..<n { z[i, j] -= mean; ss += z[i, j] * z[i, j] }
            guard ss > 0 else {
                throw EvaluationError.invalidArgument("variable \(names?[j] ?? String(j + 1)) is constant: its correlations are undefined")
            }
            let scale = 1 / ss.squareRoot()
            for i in 0..<n { z[i, j] *= scale }
        }
        var r = BLAS.gram(z)
        for j in 0..<p { r[j, j] = 1 }
        return r
    }

    static func ssLoadings(_ pattern: Matrix, phi: Matrix?) -> [Double] {
        let gram = BLAS.gram(pattern)
        guard let phi else { return gram.diagonal }
        return BLAS.multiply(phi, .none, gram, .none).diagonal
    }

    static func communalities(_ pattern: Matrix, phi: Matrix?) -> [Double] {
        let (p, k) = (pattern.rows, pattern.columns)
        guard let phi else { return pattern.rowNormsSquared }
        let structure = BLAS.multiply(pattern, .none, phi, .none)
        return (0..<p).map { i in (0..<k).reduce(0.0) { $0 + structure[i, $1] * pattern[i, $1] } }
    }

    static func signedToPositiveSums(_ m: Matrix) -> (matrix: Matrix, signs: [Double]) {
        let signs = (0..<m.columns).map { j in m.column(j).reduce(0, +) < 0 ? -1.0 : 1.0 }
        return (Matrix(rows: m.rows, columns: m.columns) { i, j in m[i, j] * signs[j] }, signs)
    }
}
