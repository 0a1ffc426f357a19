import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

@Suite struct AndersonAndSQUAREMTests {
    /// The ridge least squares against the normal equations (AᵀA + λI)γ = Aᵀb solved by Cholesky.
    @Test func ridgeLeastSquaresMatchesNormalEquations() throws {
        var rng = SplitMix64(seed: 4)
        let a = RandomProblems.gaussianMatrix(rows: 30, columns: 4, using: &rng)
        let b = (0..<30).map { _ in rng.nextGaussian() }
        for ridge in [0.0, 0.3, 25] {
            let gamma = try LAPACK.ridgeLeastSquares(a, b, ridge: ridge)
            var normal = BLAS.gram(a)
            for k in 0..<4 { normal[k, k] += ridge }
            let rhs = (0..<4).map { j in (0..<30).reduce(0.0) { $0 + a[$1, j] * b[$1] } }
            // Residual of the normal equations at γ.
            for k in 0..<4 {
                let lhs = (0..<4).reduce(0.0) { $0 + normal[k, $1] * gamma[$1] }
                #expect(abs(lhs - rhs[k]) <= 1e-10 * max(1, abs(rhs[k])), "ridge \(ridge), row \(k)")
            }
        }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.ridgeLeastSquares(a, [1, 2, 3], ridge: 0) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.ridgeLeastSquares(a, b.map { _ in .nan }, ridge: 0) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.ridgeLeastSquares(a, b, ridge: -1) }
    }

    /// On an affine contraction g(x) = Ax + b with memory ≥ n, Anderson is GMRES on the residual
    /// equation: it reaches the fixed point within n + 1 proposals, where the plain iteration
    /// (ratio 0.98) would need about a thousand steps.
    @Test func andersonSolvesAnAffineMapInNPlusOneSteps() throws {
        var rng = SplitMix64(seed: 9)
        let n = 6
        let spectrum = (0..<n).map { 0.98 - 0.15 * Double($0) }
        let a = try RandomProblems.matrixWithSpectrum(spectrum, using: &rng)
        let b = (0..<n).map { _ in rng.nextGaussian() }
        func g(_ x: [Double]) -> [Double] { (0..<n).map { i in (0..<n).reduce(b[i]) { $0 + a[i, $1] * x[$1] } } }
        // Fixed point: (I − A)x = b.
        let iMinusA = Matrix(rows: n, columns: n) { i, j in (i == j ? 1 : 0) - a[i, j] }
        let fixed = try LAPACK.ridgeLeastSquares(iMinusA, b, ridge: 0)
        var anderson = AndersonAcceleration(memory: n, regularization: 0)
        var x = [Double](repeating: 0, count: n)
        for _ in 0...(n + 1) {
            anderson.record(point: x, image: g(x))
            x = try #require(try anderson.proposal())
        }
        let error = zip(x, fixed).map { abs($0 - $1) }.max()!
        #expect(error <= 1e-8 * fixed.map(abs).max()!)
    }

    /// For g(x) = ρx + c (one eigenvalue) the S3 step length is 1/(1 − ρ) and the proposal is
    /// the fixed point itself.
    @Test func squaremHitsTheFixedPointOfAScalarContraction() throws {
        let rho = 0.995, c = [2.0, -1.0, 0.5]
        let fixed = c.map { $0 / (1 - rho) }
        func g(_ x: [Double]) -> [Double] { zip(x, c).map { rho * $0 + $1 } }
        var scheme = SQUAREM()
        #expect(scheme.proposal(x0: [0, 0, 0], x1: g([0, 0, 0]), x2: g(g([0, 0, 0]))) == nil) // α_max = 1 at first
        while scheme.maximumStep < 1 / (1 - rho) { scheme.record(steplength: scheme.maximumStep, accepted: true) }
        let x0 = [1.0, 1.0, 1.0]
        let p = try #require(scheme.proposal(x0: x0, x1: g(x0), x2: g(g(x0))))
        #expect(abs(p.steplength - 1 / (1 - rho)) <= 1e-6 / (1 - rho))
        for (u, w) in zip(p.point, fixed) { #expect(abs(u - w) <= 1e-8 * abs(w)) }
        scheme.record(steplength: scheme.maximumStep, accepted: false)
        #expect(scheme.maximumStep >= 1)
    }
}

@Suite(.serialized) struct ImputationAccelerationTests {
    static let accelerated: [AlternatingImputation.Acceleration] = [.anderson, .squarem]

    func problems() throws -> [(problem: Problem, dimension: Int)] {
        let s = RandomProblems.interactions(users: 25, items: 60, density: 0.2, seed: 7)
        return [(try Problem(interactions: s), 5),
                (try Problem(dense: RandomProblems.planted(items: 30, rank: 4, seed: 3).x), 4),
                (try Problem(dense: FactorAnalysisProblems.weaklyIdentified(variables: 30, seed: 1).r), 3),
                (try Problem(interactions: RandomProblems.interactions(users: 40, items: 90, density: 0.1, seed: 12)), 8)]
    }

    /// The plain loop (the two-block subspace inner step), written out independently of `step`:
    /// refit at d = diag(VVᵀ) from V, keep it while the loss decreases.
    func referenceLosses(_ p: Problem, dimension: Int, iterations: Int) throws -> (losses: [Double], v: Matrix) {
        let method = AlternatingImputation(inner: .subspace, acceleration: .none)
        let context = try SolverContext(problem: p, dimension: dimension, seed: 0)
        let start = try SpectralEmbedding.compute(problem: p, dimension: dimension, route: .automatic,
                                                 tolerance: 1e-12, seed: context.random.next())
        var v = start.embedding
        var losses = [context.objective.loss(v)]
        for _ in 0..<iterations {
            let shift = zip(v.rowNormsSquared, p.diagonal).map { $0 - $1 }
            let next = try method.refit(base: p.operator_, shift: shift, v: v, context: context)
            let loss = context.objective.loss(next)
            guard loss < losses.last! else { break }
            v = next
            losses.append(loss)
        }
        return (losses, v)
    }

    @Test func noAccelerationReproducesThePlainLoopBitForBit() throws {
        for (k, (p, dim)) in try problems().enumerated() {
            let reference = try referenceLosses(p, dimension: dim, iterations: 40)
            let r = try Driver.run(AlternatingImputation(inner: .subspace, acceleration: .none), problem: p, dimension: dim,
                                   options: DriverOptions(maxIterations: 40, relativeTolerance: 0))
            let traced = r.trace.map(\.loss).prefix(reference.losses.count)
            #expect(traced.map(\.bitPattern) == reference.losses.map(\.bitPattern), "problem \(k)")
            if r.termination == .maxIterations { #expect(r.embedding == reference.v, "problem \(k)") }
        }
    }

    @Test(arguments: accelerated)
    func accelerationKeepsTheLossMonotone(acceleration: AlternatingImputation.Acceleration) throws {
        var acceleratedSteps = 0.0
        for (k, (p, dim)) in try problems().enumerated() {
            let r = try Driver.run(AlternatingImputation(acceleration: acceleration), problem: p, dimension: dim,
                                   options: DriverOptions(maxIterations: 80, relativeTolerance: 0))
            #expect(r.iterations > 0)
            for (a, b) in zip(r.trace, r.trace.dropFirst()) { #expect(b.loss <= a.loss, "problem \(k): \(a.loss) → \(b.loss)") }
            #expect(r.finalLoss < r.trace[0].loss)
            acceleratedSteps += r.trace.reduce(0) { $0 + ($1.extras["accelerated"] ?? 0) }
        }
        // The safeguard must not reject everything (that would make the test vacuous).
        #expect(acceleratedSteps >= 5)
    }

    /// Refits (map evaluations) until the loss is within `gap` of `best`, or nil.
    func refitsToReach(_ r: SolverResult, best: Double, gap: Double) -> Int? {
        var refits = 0
        for entry in r.trace {
            if entry.iteration > 0 { refits += Int(entry.extras["refits"] ?? 1) }
            if entry.loss <= best * (1 + gap) { return refits }
        }
        return nil
    }

    // That the accelerated loops reach the plain loop's fixed point (loss, communalities) is
    // `MomentumRayleighRitzTests.reachesThePlainLoopsFixedPoint`, over every acceleration.

    /// Poorly determined uniquenesses: plain principal-axis factoring crawls (570–1600 refits),
    /// Anderson needs at least ten times fewer refits to reach the same loss (1e-9 relative),
    /// SQUAREM (which spends two plain refits per extrapolation) at least three times fewer.
    @Test(arguments: [(30, UInt64(1)), (30, 2), (30, 3), (36, 1), (36, 3)])
    func factorAnalysisNeedsFarFewerRefits(variables: Int, seed: UInt64) throws {
        let p = try Problem(dense: FactorAnalysisProblems.weaklyIdentified(variables: variables, seed: seed).r)
        let options = DriverOptions(maxIterations: 200_000, relativeTolerance: 0)
        let plain = try Driver.run(AlternatingImputation(inner: .subspace, acceleration: .none), problem: p, dimension: 3, options: options)
        for (acceleration, factor) in [(AlternatingImputation.Acceleration.anderson, 10), (.squarem, 3)] {
            let fast = try Driver.run(AlternatingImputation(acceleration: acceleration), problem: p, dimension: 3, options: options)
            let best = min(plain.finalLoss, fast.finalLoss)
            #expect(abs(plain.finalLoss - fast.finalLoss) <= 1e-9 * best, "\(acceleration): \(plain.finalLoss) vs \(fast.finalLoss)")
            let slow = try #require(refitsToReach(plain, best: best, gap: 1e-9))
            let quick = try #require(refitsToReach(fast, best: best, gap: 1e-9))
            #expect(quick * factor <= slow, "\(variables) variables, seed \(seed), \(acceleration): \(quick) refits vs \(slow)")
        }
    }
}
