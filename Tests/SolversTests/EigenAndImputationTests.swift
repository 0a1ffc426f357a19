import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

func projector(_ v: Matrix) -> Matrix { BLAS.multiply(v, .none, v, .transpose) }

@Suite(.serialized) struct EigenInitializationTests {
    let s = RandomProblems.interactions(users: 30, items: 80, density: 0.15, seed: 31)

    @Test func gramDenseAndArpackBackendsAgree() throws {
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let implicit = try Problem(interactions: s)
        let dense = try Problem(dense: x)
        let d = 6
        let gram = try SpectralEmbedding.compute(problem: implicit, dimension: d, route: .gram)
        let lapack = try SpectralEmbedding.compute(problem: dense, dimension: d, route: .dense)
        let arpack = try SpectralEmbedding.compute(problem: implicit, dimension: d, route: .arpack)
        #expect(gram.route == .gram && lapack.route == .dense && arpack.route == .arpack)
        let reference = projector(lapack.embedding)
        for other in [gram, arpack] {
            for k in 0..<d { #expect(relativeError(other.eigenvalues[k], lapack.eigenvalues[k]) <= 1e-10) }
            #expect(maxAbs(difference(projector(other.embedding), reference)) <= 1e-8 * maxAbs(reference))
            // Deterministic signs: the same columns, not just the same VVᵀ.
            #expect(maxAbs(difference(other.embedding, lapack.embedding)) <= 1e-6 * maxAbs(lapack.embedding))
        }
        // V = U·√λ: VᵀV is diag(λ).
        let g = BLAS.gram(lapack.embedding)
        for k in 0..<d { #expect(relativeError(g[k, k], lapack.eigenvalues[k]) <= 1e-12) }
        // X·v_k = λ_k·v_k (residual check through the implicit operator).
        let xv = implicit.operator_.applied(to: gram.embedding)
        for k in 0..<d {
            var r = 0.0
            for i in 0..<80 { r = max(r, abs(xv[i, k] - gram.eigenvalues[k] * gram.embedding[i, k])) }
            #expect(r <= 1e-9 * gram.eigenvalues[0] * maxAbs(gram.embedding))
        }
    }

    @Test func eigenLossEqualsBruteForce() throws {
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let r = try Driver.run(EigenMethod(), problem: try Problem(interactions: s), dimension: 5)
        #expect(r.termination == .completed && r.iterations == 0)
        #expect(relativeError(r.finalLoss, MaskedLoss.bruteForce(x: x, v: r.embedding)) <= 1e-10)
        for k in 0..<5 { #expect(r.embedding.column(k).reduce(0, +) > 0) }
    }

    @Test func dimensionAboveRankGivesZeroColumnsAndANote() throws {
        let small = RandomProblems.interactions(users: 6, items: 20, density: 0.4, seed: 2) // rank ≤ 5 (row 0 empty)
        let r = try Driver.run(EigenMethod(), problem: try Problem(interactions: small), dimension: 9)
        #expect(r.notes.contains { $0.contains("zero") })
        for k in 6..<9 { #expect(r.embedding.column(k).allSatisfy { $0 == 0 }) }
        let x = BLAS.multiply(small.dense, .transpose, small.dense, .none)
        let dense = try Driver.run(EigenMethod(), problem: try Problem(dense: x), dimension: 9)
        // D ≥ rank: VVᵀ = X exactly, so both losses are rounding noise around 0.
        let scale = try Problem(dense: x).offDiagonalNormSquared
        #expect(abs(dense.finalLoss - r.finalLoss) <= 1e-12 * scale)
        #expect(r.finalLoss <= 1e-12 * scale)
    }

    @Test func gramBackendNeedsInteractions() throws {
        let dense = try Problem(dense: RandomProblems.symmetric(5, seed: 1))
        #expect(throws: ProblemError.self) { try SpectralEmbedding.compute(problem: dense, dimension: 2, route: .gram) }
    }
}

@Suite(.serialized) struct AlternatingImputationTests {
    func problems() throws -> [Problem] {
        let s = RandomProblems.interactions(users: 25, items: 60, density: 0.2, seed: 7)
        return [try Problem(interactions: s),
                try Problem(dense: RandomProblems.planted(items: 30, rank: 4, seed: 3).x),
                try Problem(dense: correlationMatrix(variables: 40, factors: 3, seed: 5).r)]
    }

    @Test(arguments: [AlternatingImputation.Inner.subspace, .exact])
    func lossNeverIncreases(inner: AlternatingImputation.Inner) throws {
        for (k, p) in try problems().enumerated() {
            let d = [5, 4, 3][k]
            let r = try Driver.run(AlternatingImputation(inner: inner), problem: p, dimension: d,
                                   options: DriverOptions(maxIterations: 60, relativeTolerance: 0))
            #expect(r.iterations > 0)
            for (a, b) in zip(r.trace, r.trace.dropFirst()) { #expect(b.loss <= a.loss, "problem \(k): \(a.loss) → \(b.loss)") }
            #expect(r.finalLoss < r.trace[0].loss)
        }
    }

    @Test func subspaceAndExactInnerStepsReachTheSameFixedPoint() throws {
        let p = try Problem(dense: RandomProblems.planted(items: 30, rank: 4, seed: 3).x)
        let a = try Driver.run(AlternatingImputation(inner: .subspace), problem: p, dimension: 4,
                               options: DriverOptions(maxIterations: 5000, relativeTolerance: 0))
        let b = try Driver.run(AlternatingImputation(inner: .exact), problem: p, dimension: 4,
                               options: DriverOptions(maxIterations: 5000, relativeTolerance: 0))
        #expect(a.finalLoss <= 1e-10 * p.offDiagonalNormSquared)
        #expect(b.finalLoss <= 1e-10 * p.offDiagonalNormSquared)
    }

    /// Factor analysis: R = ΛΛᵀ + Ψ rescaled to unit diagonal. Principal-axis factoring recovers
    /// the communalities diag(ΛΛᵀ) and uniquenesses 1 − communality, through the dense path.
    @Test func correlationMatrixGivesCommunalitiesAndUniquenesses() throws {
        let (r, communalities) = correlationMatrix(variables: 40, factors: 3, seed: 11)
        let p = try Problem(dense: r)
        guard case .dense = p.source else { Issue.record("expected the dense path"); return }
        let result = try Driver.run(AlternatingImputation(), problem: p, dimension: 3,
                                    options: DriverOptions(maxIterations: 20_000, relativeTolerance: 0))
        #expect(result.finalLoss <= 1e-10 * p.offDiagonalNormSquared)
        let found = try #require(result.extras["communalities"])
        let unique = try #require(result.extras["uniquenesses"])
        for i in 0..<40 {
            #expect(abs(found[i] - communalities[i]) <= 1e-5)
            #expect(abs(unique[i] - (1 - communalities[i])) <= 1e-5)
        }
    }
}

/// A correlation matrix with an exact `factors`-factor structure and its true communalities.
func correlationMatrix(variables n: Int, factors k: Int, seed: UInt64) -> (r: Matrix, communalities: [Double]) {
    var rng = SeededGenerator(seed: seed)
    let loadings = Matrix(rows: n, columns: k) { _, _ in 0.2 + 0.5 * rng.nextUniform() }
    var r = BLAS.multiply(loadings, .none, loadings, .transpose)
    var communalities = [Double](repeating: 0, count: n)
    for i in 0..<n { communalities[i] = r[i, i] }
    // Unit diagonal: communality + uniqueness = 1 needs communalities < 1; rescale if needed.
    let scale = 0.9 / max(1, communalities.max()!)
    for j in 0..<n { for i in 0..<n { r[i, j] *= scale } }
    for i in 0..<n { communalities[i] *= scale; r[i, i] = 1 }
    return (r, communalities)
}
