import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// The CholeskyQR2 Rayleigh–Ritz step of alternating imputation against the Householder-QR step
/// it replaces: same subspace, so the same loss.
@Suite struct PerfRayleighRitzTests {
    func refit(_ v: Matrix, problem: Problem, dimension: Int, shortcut: Bool) throws -> Matrix? {
        try refit(problem.operator_, v, problem: problem, dimension: dimension, shortcut: shortcut)
    }

    func refit<Base: SymmetricOperator>(_ base: Base, _ v: Matrix, problem: Problem, dimension: Int, shortcut: Bool) throws -> Matrix? {
        let context = try SolverContext(problem: problem, dimension: dimension, seed: 1)
        let shift = zip(v.rowNormsSquared, problem.diagonal).map { $0 - $1 }
        let y = DiagonallyShiftedOperator(base, adding: shift)
        let method = AlternatingImputation()
        return shortcut
            ? try RayleighRitzStep.step(y, basis: v, dimension: dimension, context: context)
            : try method.rayleighRitz(y, basis: v, context: context)
    }

    @Test(arguments: [3, 8, 20])
    func choleskyQR2StepMatchesHouseholderStep(dimension: Int) throws {
        let s = RandomProblems.interactions(users: 70, items: 90, density: 0.15, seed: 23)
        let problem = try Problem(interactions: s)
        let loss = try MaskedLoss(problem: problem, dimension: dimension)
        // From the eigen start (orthogonal columns), along a few steps, and from a random V.
        var v = try SpectralEmbedding.compute(problem: problem, dimension: dimension).embedding
        var starts = [v]
        for _ in 0..<3 {
            v = try #require(try refit(v, problem: problem, dimension: dimension, shortcut: false))
            starts.append(v)
        }
        starts.append(RandomProblems.gaussian(rows: 90, columns: dimension, seed: 4))
        for start in starts {
            let fast = try #require(try refit(start, problem: problem, dimension: dimension, shortcut: true))
            let reference = try #require(try refit(start, problem: problem, dimension: dimension, shortcut: false))
            #expect(relativeError(loss.loss(fast), loss.loss(reference)) <= 1e-10)
            #expect(loss.loss(fast) <= loss.loss(start) * (1 + 1e-12))
        }
    }

    @Test func shortcutDeclinesWhenItDoesNotApply() throws {
        let s = RandomProblems.interactions(users: 30, items: 12, density: 0.3, seed: 2)
        let problem = try Problem(interactions: s)
        let zeroColumn = Matrix(rows: 12, columns: 3) { i, j in j == 2 ? 0 : Double(i + j) }
        #expect(try refit(zeroColumn, problem: problem, dimension: 3, shortcut: true) == nil)
        let tooWide = RandomProblems.gaussian(rows: 12, columns: 7, seed: 1)
        #expect(try refit(tooWide, problem: problem, dimension: 7, shortcut: true) == nil)
    }
}
