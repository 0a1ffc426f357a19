import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

@Suite struct TrustRegionNewtonTests {
    /// ∇²L[E] against central differences of the gradient, (∇L(V+hE) − ∇L(V−hE)) / 2h, for dense X
    /// (with an arbitrary diagonal) and for X = SᵀS.
    @Test(arguments: [false, true])
    func hessianProductMatchesFiniteDifferences(interactions: Bool) throws {
        let m = 25, d = 4
        let problem: Problem
        if interactions {
            problem = try Problem(interactions: RandomProblems.interactions(users: 30, items: m, density: 0.3, seed: 7))
        } else {
            problem = try Problem(dense: RandomProblems.symmetric(m, seed: 8))
        }
        let objective = try MaskedLoss(problem: problem, dimension: d)
        let v = RandomProblems.gaussian(rows: m, columns: d, seed: 9)
        let e = RandomProblems.gaussian(rows: m, columns: d, seed: 10)
        let gram = BLAS.gram(v)
        let excess = zip(v.rowNormsSquared, problem.diagonal).map { $0 - $1 }
        var hv = Matrix(rows: m, columns: d)
        TrustRegionNewton.hessianProduct(e, at: v, gram: gram, excess: excess, objective: objective,
                                         sums: problem.itemSums, into: &hv)
        let h = 1e-5
        var plus = v, minus = v
        Flat.axpy(h, e, &plus)
        Flat.axpy(-h, e, &minus)
        let gPlus = objective.evaluate(plus).gradient, gMinus = objective.evaluate(minus).gradient
        var fd = gPlus
        Flat.axpy(-1, gMinus, &fd)
        Flat.scale(&fd, by: 1 / (2 * h))
        let error = maxAbs(difference(hv, fd)), scale = maxAbs(fd)
        #expect(error <= 1e-6 * scale, "‖H·E − FD‖∞ = \(error), scale \(scale)")
        // And it is not a product that merely resembles the gradient: the quadratic form is the
        // second directional derivative of L.
        let l0 = objective.loss(v), lp = objective.loss(plus), lm = objective.loss(minus)
        let second = (lp - 2 * l0 + lm) / (h * h)
        #expect(relativeError(Flat.dot(e, hv), second) <= 1e-4, "⟨E, H·E⟩ \(Flat.dot(e, hv)) vs \(second)")
    }

    /// The positive root of the boundary equation ‖p + τd‖_W = Δ in both branches.
    @Test func boundaryStepSolvesTheQuadratic() {
        for (pp, pd, dd, radius) in [(1.0, 0.5, 2.0, 3.0), (1.0, -0.7, 0.4, 1.5), (0.0, 0.0, 4.0, 2.0)] {
            let tau = TrustRegionNewton.boundaryStep(pp: pp, pd: pd, dd: dd, radius: radius)
            #expect(tau >= 0)
            #expect(abs(pp + 2 * tau * pd + tau * tau * dd - radius * radius) <= 1e-12 * radius * radius)
        }
    }

    /// From a perturbed planted solution the loss goes to zero (the planted problem's optimum) with
    /// the superlinear finish of a Newton method, and the trace never rises.
    @Test func solvesPlantedProblemQuadratically() throws {
        let (x, truth) = RandomProblems.planted(items: 30, rank: 3, seed: 4)
        let problem = try Problem(dense: x)
        let noise = RandomProblems.gaussian(rows: 30, columns: 3, scale: 0.05, seed: 5)
        let start = Matrix(rows: 30, columns: 3, columnMajor: zip(truth.storage, noise.storage).map { $0 + $1 })
        let r = try Driver.run(TrustRegionNewton(), problem: problem, dimension: 3, start: start,
                               options: DriverOptions(maxIterations: 100, relativeTolerance: 0))
        #expect(r.finalLoss <= 1e-20 * problem.offDiagonalNormSquared, "\(r.finalLoss) after \(r.iterations), \(r.termination)")
        #expect(r.iterations <= 30, "\(r.iterations) iterations")
        #expect(zip(r.trace, r.trace.dropFirst()).allSatisfy { $1.loss <= $0.loss })
    }

    /// From a random start (indefinite Hessian: negative curvature is met) on interactions, newton
    /// and L-BFGS reach the same minimum, and newton's gradient ends far below its start.
    @Test func agreesWithLBFGSFromRandomStart() throws {
        let s = RandomProblems.interactions(users: 40, items: 50, density: 0.25, seed: 21)
        let problem = try Problem(interactions: s)
        let start = try SpectralEmbedding.compute(problem: problem, dimension: 5).embedding
        let options = DriverOptions(maxIterations: 2000, relativeTolerance: 0, gradientTolerance: 1e-8)
        let newton = try Driver.run(TrustRegionNewton(), problem: problem, dimension: 5, start: start, options: options)
        let lbfgs = try Driver.run(LBFGS(), problem: problem, dimension: 5, start: start, options: options)
        #expect(relativeError(newton.finalLoss, lbfgs.finalLoss) <= 1e-10, "newton \(newton.finalLoss) lbfgs \(lbfgs.finalLoss)")
        #expect(newton.termination == .gradientConverged || newton.termination == .methodConverged, "\(newton.termination)")
        let random = RandomProblems.gaussian(rows: 50, columns: 5, scale: 0.3, seed: 2)
        let fromRandom = try Driver.run(TrustRegionNewton(), problem: problem, dimension: 5, start: random, options: options)
        let g0 = try #require(fromRandom.trace.first?.gradientNorm), g1 = try #require(fromRandom.trace.last?.gradientNorm)
        #expect(g1 <= 1e-6 * g0, "gradient \(g0) → \(g1), \(fromRandom.termination)")
        #expect(zip(fromRandom.trace, fromRandom.trace.dropFirst()).allSatisfy { $1.loss <= $0.loss })
    }
}

/// `--time-limit` and signals reach newton's inner CG loop (it once overran a 20 s limit by 5.5 s).
@Suite struct TrustRegionNewtonStopTests {
    /// With a stop already requested the subproblem takes one CG iteration and returns a step the
    /// model still predicts to decrease the loss; without it the same subproblem takes several.
    @Test func aStopRequestEndsTheConjugateGradientLoopAfterOneIteration() throws {
        let s = RandomProblems.interactions(users: 60, items: 80, density: 0.2, seed: 3)
        let problem = try Problem(interactions: s)
        let start = try SpectralEmbedding.compute(problem: problem, dimension: 6).embedding
        let method = TrustRegionNewton(maxInnerIterations: 500)
        func firstSubproblem(stopped: Bool) throws -> (predicted: Double, iterations: Int, abandoned: Bool) {
            let stop = StopToken()
            let context = try SolverContext(problem: problem, dimension: 6, seed: 1, stop: stop)
            var state = try method.makeState(start: start, context: context)
            // A radius the step never reaches and a tight forcing term (as late in a run): CG
            // runs for many iterations unless stopped.
            state.radius = 1e30
            state.initialGradientNorm = 1e12 * state.gradientNorm
            if stopped { _ = stop.requestStop(.signal(SIGINT)) }
            let r = method.solveSubproblem(&state, objective: context.objective, stop: stop)
            return (r.predicted, r.iterations, stop.abandonedIteration)
        }
        let free = try firstSubproblem(stopped: false)
        let cut = try firstSubproblem(stopped: true)
        #expect(free.iterations > 1, "the unstopped subproblem must take several iterations (\(free.iterations))")
        #expect(!free.abandoned)
        #expect(cut.iterations == 1)
        #expect(cut.predicted > 0 && cut.predicted <= free.predicted)
        #expect(cut.abandoned, "a cut-short iteration must never be checkpointed")
    }

    /// A time limit that expires in the middle of a long Newton iteration ends the run within a
    /// fraction of that iteration. The uninterrupted run shows which iteration is long (most CG
    /// iterations, late in the run where the forcing term is small); the second run sets its
    /// deadline when that iteration starts, at a quarter of its uninterrupted duration, and must
    /// end before three quarters of it, with fewer CG iterations than the uninterrupted one.
    @Test func aDeadlineInsideALongIterationEndsTheRunPromptly() throws {
        let s = RandomProblems.interactions(users: 400, items: 300, density: 0.1, seed: 3)
        let problem = try Problem(interactions: s)
        let start = try SpectralEmbedding.compute(problem: problem, dimension: 20).embedding
        let method = TrustRegionNewton(maxInnerIterations: 100_000)
        let free = try Driver.run(method, problem: problem, dimension: 20, start: start,
                                  options: DriverOptions(maxIterations: 10, relativeTolerance: 0))
        let entries = Array(free.trace.dropFirst())
        let long = try #require(entries.indices.max { (entries[$0].extras["inner"] ?? 0) < (entries[$1].extras["inner"] ?? 0) })
        let longInner = entries[long].extras["inner"] ?? 0
        let longSeconds = entries[long].seconds - free.trace[long].seconds
        try #require(longInner >= 10, "no long iteration to interrupt (at most \(longInner) CG iterations)")
        let limit = longSeconds / 4
        let token = StopToken()
        let clock = ContinuousClock()
        var armed: ContinuousClock.Instant?
        var options = DriverOptions(maxIterations: 10, relativeTolerance: 0, callback: { entry in
            if entry.iteration == long { // the long iteration, 1-based, comes next
                armed = clock.now
                token.setDeadline(after: limit)
            }
            return true
        })
        options.stop = token
        let cut = try Driver.run(method, problem: problem, dimension: 20, start: start, options: options)
        let afterArming = try #require(armed.map { clock.now - $0 })
        #expect(cut.termination == .timeLimit, "\(cut.termination)")
        #expect(cut.iterations == long + 1)
        #expect((cut.trace.last?.extras["inner"] ?? .infinity) < longInner)
        #expect(afterArming.seconds < 3 * limit, "ran \(afterArming.seconds) s past a deadline of \(limit) s (the iteration takes \(longSeconds) s)")
    }
}
