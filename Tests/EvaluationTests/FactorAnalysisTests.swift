import Testing
import Foundation
import LinearAlgebra
@testable import Evaluation
import TestSupport

/// A random k × k orthogonal matrix (QR of a Gaussian matrix).
func randomOrthogonal(_ k: Int, using rng: inout SplitMix64) throws -> Matrix {
    try LAPACK.orthonormalize(RandomProblems.gaussianMatrix(rows: k, columns: k, using: &rng))
}

func maxDifference(_ a: Matrix, _ b: Matrix) -> Double {
    precondition(a.rows == b.rows && a.columns == b.columns)
    return zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
}

/// Iterated principal-axis factoring written out from its definition: put the communalities on
/// R's diagonal, take the top-k eigenpairs, loadings U_k Λ_k^½, communalities their row sums of
/// squares; repeat.
func iteratedPrincipalAxis(_ r: Matrix, factors k: Int, iterations: Int = 5000) throws -> Matrix {
    var reduced = r
    var loadings = Matrix(rows: r.rows, columns: k)
    for _ in 0..<iterations {
        let (values, vectors) = try LAPACK.largestEigenpairs(reduced, count: k)
        loadings = Matrix(rows: r.rows, columns: k) { (i: Int, j: Int) -> Double in
            let scale: Double = max(values[j], 0).squareRoot()
            return vectors[i, j] * scale
        }
        let h2 = loadings.rowNormsSquared
        var change = 0.0
        for i in 0..<r.rows { change = max(change, abs(reduced[i, i] - h2[i])); reduced[i, i] = h2[i] }
        if change < 1e-15 { break }
    }
    return loadings
}

/// R = ΛΛᵀ + diag(1 − h2) for loadings with h2 < 1: an exact k-factor correlation matrix.
func correlationMatrix(loadings l: Matrix, phi: Matrix? = nil) -> Matrix {
    let common = phi.map { BLAS.multiply(BLAS.multiply(l, .none, $0, .none), .none, l, .transpose) }
        ?? BLAS.multiply(l, .none, l, .transpose)
    var r = common
    for i in 0..<r.rows { r[i, i] = 1 }
    return r
}

@Suite struct FactorAnalysisTests {
    /// Two uncorrelated factors in perfect simple structure: the textbook case whose varimax
    /// solution is the planted matrix itself (psych::fa prints it with h2 = row SS, com = 1).
    static let planted = Matrix([
        [0.9, 0], [0.8, 0], [0.7, 0], [0.6, 0], [0.5, 0],
        [0, 0.8], [0, 0.7], [0, 0.6], [0, 0.5],
    ])

    @Test func plantedTwoFactorModelIsRecoveredByVarimax() throws {
        var rng = SplitMix64(seed: 11)
        let l = Self.planted
        let r = correlationMatrix(loadings: l)
        // Any solver hands back the fit in an arbitrary frame: rotate the planted loadings.
        let scrambled = BLAS.multiply(l, .none, try randomOrthogonal(2, using: &rng), .none)
        let s = try FactorAnalysis.solution(loadings: scrambled, diagonal: r.diagonal, maskedLoss: 0, rotation: .varimax)
        #expect(maxDifference(s.loadings, l) < 1e-10)
        let h2 = l.rowNormsSquared
        for i in 0..<l.rows {
            #expect(abs(s.communalities[i] - h2[i]) < 1e-12)
            #expect(abs(s.uniquenesses[i] - (1 - h2[i])) < 1e-12)
            #expect(abs(s.complexity[i]! - 1) < 1e-9)
        }
        // SS loadings 0.9²+…+0.5² = 2.55 and 0.8²+…+0.5² = 1.74; proportion of p = 9 variables.
        #expect(abs(s.ssLoadings[0] - 2.55) < 1e-12 && abs(s.ssLoadings[1] - 1.74) < 1e-12)
        #expect(abs(s.proportionVariance[0] - 2.55 / 9) < 1e-12)
        #expect(abs(s.cumulativeVariance[1] - 4.29 / 9) < 1e-12)
        #expect(abs(s.proportionExplained[0] - 2.55 / 4.29) < 1e-12 && abs(s.cumulativeProportion[1] - 1) < 1e-12)
        #expect(s.phi == nil)
    }

    /// The unrotated solution is the principal-axis one: eigenvectors of the reduced matrix
    /// (communalities on the diagonal) scaled by √eigenvalue, computed here with LAPACK directly.
    @Test func unrotatedSolutionIsTheDirectPrincipalAxisComputation() throws {
        var rng = SplitMix64(seed: 3)
        let l = Matrix(rows: 12, columns: 3) { _, _ in 0.5 * rng.nextSigned() }
        let r = correlationMatrix(loadings: l)
        let pa = try iteratedPrincipalAxis(r, factors: 3)
        var reduced = r
        let h2 = l.rowNormsSquared
        for i in 0..<r.rows { reduced[i, i] = h2[i] }
        let (values, vectors) = try LAPACK.largestEigenpairs(reduced, count: 3)
        var direct = Matrix(rows: 12, columns: 3) { (i: Int, j: Int) -> Double in vectors[i, j] * values[j].squareRoot() }
        for j in 0..<3 where direct.column(j).reduce(0, +) < 0 { for i in 0..<12 { direct[i, j] = -direct[i, j] } }

        let scrambled = BLAS.multiply(l, .none, try randomOrthogonal(3, using: &rng), .none)
        let s = try FactorAnalysis.solution(loadings: scrambled, diagonal: r.diagonal, maskedLoss: 0, rotation: .none)
        #expect(maxDifference(s.loadings, direct) < 1e-10)
        // Iterated principal axis from R converges to the same (exact) fit.
        let fromPA = try FactorAnalysis.solution(loadings: pa, diagonal: r.diagonal, maskedLoss: 0, rotation: .none)
        #expect(maxDifference(fromPA.loadings, direct) < 1e-6)
        for j in 0..<3 { #expect(abs(s.ssLoadings[j] - values[j]) < 1e-10) }
    }

    /// For two factors varimax is a one-parameter search: scan the angle finely and check that
    /// Kaiser's algorithm found the maximum of the normalised criterion.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func varimaxMaximisesTheCriterionAgainstABruteForceAngleSearch(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let l = Matrix(rows: 10, columns: 2) { _, _ in rng.nextSigned() }
        let (rotated, t) = try Rotation.varimax(l)
        #expect(maxDifference(BLAS.multiply(t, .transpose, t, .none), Matrix.identity(2)) < 1e-12)
        #expect(maxDifference(BLAS.multiply(l, .none, t, .none), rotated) < 1e-12)
        func rotatedBy(_ phi: Double) -> Matrix {
            let (c, s): (Double, Double) = (cos(phi), sin(phi))
            return Matrix(rows: 10, columns: 2) { (i: Int, j: Int) -> Double in
                let a: Double = l[i, 0], b: Double = l[i, 1]
                return j == 0 ? a * c - b * s : a * s + b * c
            }
        }
        // The criterion has period π/2 in the angle.
        var best = -Double.infinity, bestAngle = 0.0
        let steps = 20_000
        for s in 0..<steps {
            let phi = Double(s) * (.pi / 2) / Double(steps)
            let c = Rotation.varimaxCriterion(rotatedBy(phi))
            if c > best { best = c; bestAngle = phi }
        }
        // Golden-section refinement around the best grid angle.
        var (a, b) = (bestAngle - .pi / 2 / Double(steps), bestAngle + .pi / 2 / Double(steps))
        for _ in 0..<100 {
            let m1 = a + (b - a) * 0.382, m2 = a + (b - a) * 0.618
            if Rotation.varimaxCriterion(rotatedBy(m1)) > Rotation.varimaxCriterion(rotatedBy(m2)) { b = m2 } else { a = m1 }
        }
        best = max(best, Rotation.varimaxCriterion(rotatedBy((a + b) / 2)))
        let found = Rotation.varimaxCriterion(rotated)
        #expect(found >= best - 1e-12, "varimax \(found) < brute force \(best)")
        #expect(found > Rotation.varimaxCriterion(l) || abs(found - Rotation.varimaxCriterion(l)) < 1e-12)
    }

    /// Promax keeps the fit (Λ Φ Λᵀ = the orthogonal ΛΛᵀ), gives Φ a unit diagonal, and on a
    /// planted oblique simple structure finds the planted factor correlation.
    @Test func promaxKeepsTheFitAndFindsThePlantedCorrelation() throws {
        var rng = SplitMix64(seed: 5)
        let pattern = Self.planted
        let planted = Matrix([[1, 0.4], [0.4, 1]])
        let r = correlationMatrix(loadings: pattern, phi: planted)
        // An orthogonal factor of the same fit: pattern · chol(Φ)ᵀ, then scrambled.
        let u = try LAPACK.cholesky(planted)
        let orthogonal = BLAS.multiply(BLAS.multiply(pattern, .none, u, .transpose), .none,
                                       try randomOrthogonal(2, using: &rng), .none)
        let s = try FactorAnalysis.solution(loadings: orthogonal, diagonal: r.diagonal, maskedLoss: 0, rotation: .promax)
        let phi = try #require(s.phi)
        #expect(abs(phi[0, 0] - 1) < 1e-12 && abs(phi[1, 1] - 1) < 1e-12)
        let refit = BLAS.multiply(BLAS.multiply(s.loadings, .none, phi, .none), .none, s.loadings, .transpose)
        #expect(maxDifference(refit, BLAS.multiply(orthogonal, .none, orthogonal, .transpose)) < 1e-12)
        #expect(abs(phi[0, 1] - 0.4) < 0.03, "Φ₁₂ = \(phi[0, 1])")
        #expect(maxDifference(s.loadings, pattern) < 0.05)
        // h2 of an oblique solution is diag(ΛΦΛᵀ), the planted communality.
        let common = BLAS.multiply(BLAS.multiply(pattern, .none, planted, .none), .none, pattern, .transpose)
        for i in 0..<pattern.rows { #expect(abs(s.communalities[i] - common[i, i]) < 1e-12) }
        // SS loadings of an oblique solution are diag(Φ ΛᵀΛ) and order the columns.
        #expect(s.ssLoadings[0] >= s.ssLoadings[1])
    }

    @Test func complexityAndSignsFollowTheirDefinitions() throws {
        // Row 0 loads equally on both factors (complexity 2); columns sum negative before signing.
        let l = Matrix([[-0.5, -0.5], [-0.7, 0.0], [0.0, -0.6], [-0.2, -0.1]])
        let s = try FactorAnalysis.solution(loadings: l, diagonal: [1, 1, 1, 1], maskedLoss: 0.12, rotation: .none)
        for j in 0..<2 { #expect(s.loadings.column(j).reduce(0, +) > 0) }
        let x = s.loadings
        for i in 0..<4 {
            let a: Double = x[i, 0] * x[i, 0], b: Double = x[i, 1] * x[i, 1]
            let expected: Double = (a + b) * (a + b) / (a * a + b * b)
            #expect(abs(s.complexity[i]! - expected) < 1e-12)
        }
        let rmsr: Double = (0.12 / 12.0).squareRoot()
        #expect(abs(s.rmsr - rmsr) < 1e-15)
        let zero = try FactorAnalysis.solution(loadings: Matrix([[0, 0], [1, 0], [0, 1]]), diagonal: [1, 1, 1],
                                               maskedLoss: 0, rotation: .varimax)
        #expect(zero.complexity[0] == nil)
    }

    @Test func correlationOfADataMatrixMatchesTheDefinition() throws {
        var rng = SplitMix64(seed: 9)
        let x = RandomProblems.gaussianMatrix(rows: 30, columns: 4, using: &rng)
        let r = try FactorAnalysis.correlation(of: x)
        for a in 0..<4 {
            for b in 0..<4 {
                let xa: [Double] = x.column(a), xb: [Double] = x.column(b)
                let ma: Double = xa.reduce(0, +) / 30, mb: Double = xb.reduce(0, +) / 30
                var cov = 0.0, va = 0.0, vb = 0.0
                for i in 0..<30 {
                    cov += (xa[i] - ma) * (xb[i] - mb)
                    va += (xa[i] - ma) * (xa[i] - ma)
                    vb += (xb[i] - mb) * (xb[i] - mb)
                }
                let expected: Double = cov / (va * vb).squareRoot()
                #expect(abs(r[a, b] - expected) < 1e-12)
            }
        }
        let constant = Matrix([[0, 2], [1, 2], [2, 2]])
        #expect(throws: EvaluationError.self) { try FactorAnalysis.correlation(of: constant, names: ["a", "b"]) }
    }
}
