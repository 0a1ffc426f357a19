import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

@Suite struct GradientMethodTests {
    /// From a perturbed planted solution every gradient method must drive the loss down by many
    /// orders of magnitude; the loss trace of gd and lbfgs never increases.
    @Test func gradientMethodsSolvePlantedProblemFromNearby() throws {
        let (x, truth) = RandomProblems.planted(items: 30, rank: 3, seed: 4)
        let problem = try Problem(dense: x)
        let noise = RandomProblems.gaussian(rows: 30, columns: 3, scale: 0.05, seed: 5)
        let start = Matrix(rows: 30, columns: 3, columnMajor: zip(truth.storage, noise.storage).map { $0 + $1 })
        let target = 1e-10 * problem.offDiagonalNormSquared
        let lbfgs = try Driver.run(LBFGS(), problem: problem, dimension: 3, start: start,
                                   options: DriverOptions(maxIterations: 500, relativeTolerance: 0))
        #expect(lbfgs.finalLoss <= target)
        let gd = try Driver.run(GradientDescent(), problem: problem, dimension: 3, start: start,
                                options: DriverOptions(maxIterations: 20_000, relativeTolerance: 0))
        #expect(gd.finalLoss <= target)
        let adam = try Driver.run(Adam(learningRate: 1e-2), problem: problem, dimension: 3, start: start,
                                  options: DriverOptions(maxIterations: 20_000, relativeTolerance: 0))
        #expect(adam.finalLoss <= target)
        for r in [lbfgs, gd] {
            #expect(zip(r.trace, r.trace.dropFirst()).allSatisfy { $1.loss <= $0.loss }, "\(r.method) increased the loss")
        }
    }

    @Test func lbfgsMatchesGradientDescentOnRandomInteractions() throws {
        let s = RandomProblems.interactions(users: 30, items: 40, density: 0.2, seed: 12)
        let problem = try Problem(interactions: s)
        let start = RandomProblems.gaussian(rows: 40, columns: 4, scale: 0.5, seed: 3)
        let a = try Driver.run(LBFGS(), problem: problem, dimension: 4, start: start,
                               options: DriverOptions(maxIterations: 3000, relativeTolerance: 0, gradientTolerance: 1e-9))
        let b = try Driver.run(GradientDescent(), problem: problem, dimension: 4, start: a.embedding,
                               options: DriverOptions(maxIterations: 200, relativeTolerance: 0))
        // Started at L-BFGS's answer, gradient descent finds nothing meaningfully better.
        #expect(b.finalLoss >= a.finalLoss * (1 - 1e-9))
        #expect(a.finalLoss < 0.5 * problem.offDiagonalNormSquared)
    }

    /// Both initial inverse Hessians reach the same minimum; the Gram preconditioner needs
    /// fewer iterations on an ill-conditioned problem (X's top eigenvalues spread widely).
    @Test func preconditionedAndPlainLBFGSAgree() throws {
        let s = RandomProblems.interactions(users: 40, items: 70, density: 0.25, seed: 21)
        let problem = try Problem(interactions: s)
        let start = try SpectralEmbedding.compute(problem: problem, dimension: 6).embedding
        let options = DriverOptions(maxIterations: 5000, relativeTolerance: 0, gradientTolerance: 1e-7)
        let plain = try Driver.run(LBFGS(preconditioning: .none), problem: problem, dimension: 6, start: start, options: options)
        let gram = try Driver.run(LBFGS(preconditioning: .gram), problem: problem, dimension: 6, start: start, options: options)
        #expect(relativeError(plain.finalLoss, gram.finalLoss) <= 1e-9)
        #expect(gram.iterations < plain.iterations, "gram \(gram.iterations) vs plain \(plain.iterations)")
        let g0 = try #require(gram.trace.first?.gradientNorm), g1 = try #require(gram.trace.last?.gradientNorm)
        #expect(g1 <= 1e-6 * g0, "final gradient \(g1) vs initial \(g0), \(gram.termination)")
    }

    @Test func adamWithHugeRateReportsNonFiniteOrRecovers() throws {
        let (x, _) = RandomProblems.planted(items: 10, rank: 2, seed: 2)
        let problem = try Problem(dense: x)
        let start = RandomProblems.gaussian(rows: 10, columns: 2, seed: 1)
        let r = try Driver.run(Adam(learningRate: 1e3, schedule: .constant), problem: problem, dimension: 2, start: start,
                               options: DriverOptions(maxIterations: 50, relativeTolerance: 0))
        #expect(r.finalLoss.isFinite)
        #expect(r.trace.count >= 2)
    }

    @Test func sameSeedSameBytes() throws {
        let s = RandomProblems.interactions(users: 20, items: 25, density: 0.3, seed: 1)
        let problem = try Problem(interactions: s)
        var settings = SolverSettings(dimension: 3)
        settings.initialPoint = .random(scale: 1)
        settings.seed = 42
        settings.maxIterations = 30
        let adam = RegisteredMethod(Adam.self)
        let a = try adam.run(problem: problem, settings: settings)
        let b = try adam.run(problem: problem, settings: settings)
        #expect(a.embedding.storage == b.embedding.storage)
        settings.seed = 43
        let c = try adam.run(problem: problem, settings: settings)
        #expect(c.embedding.storage != a.embedding.storage)
    }
}
