import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// The `lobpcg` inner step (Rayleigh–Ritz on span[V, YV, P]) against a dense Householder-QR
/// Rayleigh–Ritz on the same three blocks, and the loops built on it.
@Suite(.serialized) struct MomentumRayleighRitzTests {
    /// The best rank-D PSD fit of Y within span(B): Householder QR, T = QᵀYQ, top-D pairs.
    func denseRayleighRitz(_ y: some SymmetricOperator, _ b: Matrix, dimension dim: Int) throws -> Matrix {
        let q = try LAPACK.orthonormalize(b)
        var t = BLAS.multiply(q, .transpose, y.applied(to: q), .none)
        RayleighRitzStep.symmetrize(&t)
        let eig = try LAPACK.symmetricEigen(t)
        var z = Matrix(rows: q.columns, columns: dim)
        for j in 0..<dim {
            let f = max(eig.values[j], 0).squareRoot()
            for i in 0..<q.columns { z[i, j] = eig.vectors[i, j] * f }
        }
        return BLAS.multiply(q, .none, z, .none)
    }

    func outerProductDistance(_ a: Matrix, _ b: Matrix) -> Double {
        let pa = BLAS.multiply(a, .none, a, .transpose), pb = BLAS.multiply(b, .none, b, .transpose)
        let diff = zip(pa.storage, pb.storage).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        return diff / max(pb.storage.reduce(0.0) { $0 + $1 * $1 }.squareRoot(), 1e-300)
    }

    @Test(arguments: [3, 8, 20])
    func stepMatchesDenseRayleighRitzOnTheThreeBlocks(dimension dim: Int) throws {
        let problem = try Problem(interactions: RandomProblems.interactions(users: 70, items: 90, density: 0.15, seed: 23))
        try checkStep(problem.operator_, problem: problem, dimension: dim)
    }

    func checkStep<Base: SymmetricOperator>(_ base: Base, problem: Problem, dimension dim: Int) throws {
        let context = try SolverContext(problem: problem, dimension: dim, seed: 1)
        let loss = try MaskedLoss(problem: problem, dimension: dim)
        // A warm V (two plain refits from the eigen start: orthogonal columns) and a random P.
        var v = try SpectralEmbedding.compute(problem: problem, dimension: dim).embedding
        let plain = AlternatingImputation(inner: .subspace)
        for _ in 0..<2 {
            v = try plain.refit(base: problem.operator_, shift: zip(v.rowNormsSquared, problem.diagonal).map { $0 - $1 },
                                v: v, context: context)
        }
        let k = MomentumRayleighRitzStep.directionColumns(dimension: dim)
        let p = RandomProblems.gaussian(rows: 90, columns: k, seed: 5)
        let y = DiagonallyShiftedOperator(base, adding: zip(v.rowNormsSquared, problem.diagonal).map { $0 - $1 })
        let out = try #require(try MomentumRayleighRitzStep.step(y, basis: v, direction: p, dimension: dim, context: context))
        #expect(out.directionColumns == k)
        var block = Matrix(rows: 90, columns: 2 * dim + k)
        let yv = y.applied(to: v)
        for i in 0..<90 {
            for j in 0..<dim { block[i, j] = v[i, j]; block[i, dim + j] = yv[i, j] }
            for j in 0..<k { block[i, 2 * dim + j] = p[i, j] }
        }
        let reference = try denseRayleighRitz(y, block, dimension: dim)
        #expect(relativeError(loss.loss(out.v), loss.loss(reference)) <= 1e-10)
        #expect(outerProductDistance(out.v, reference) <= 1e-7)
        // P enlarges the subspace: the fit is at least as good as the two-block step's, here better.
        let twoBlock = try #require(try RayleighRitzStep.step(y, basis: v, dimension: dim, context: context))
        #expect(loss.loss(out.v) < loss.loss(twoBlock) * (1 - 1e-9))
        #expect(loss.loss(out.v) <= loss.loss(v))
        // The next direction: the slowest k columns of V⁺ with their part in span(V) removed.
        let q = try LAPACK.orthonormalize(v)
        #expect(out.direction.columns == k)
        for (jj, j) in ((dim - k)..<dim).enumerated() {
            let column = out.v.columns(j..<(j + 1))
            var outside = column
            BLAS.gemm(.none, q, .none, BLAS.multiply(q, .transpose, column, .none), alpha: -1, beta: 1, into: &outside)
            let scale = max(outside.storage.map(abs).max()!, 1e-300)
            let plus = (0..<90).map { abs(outside[$0, 0] - out.direction[$0, jj]) }.max()!
            let minus = (0..<90).map { abs(outside[$0, 0] + out.direction[$0, jj]) }.max()!
            #expect(min(plus, minus) <= 1e-8 * scale, "column \(j)")
        }
    }

    @Test func withoutADirectionItIsTheTwoBlockStep() throws {
        let problem = try Problem(interactions: RandomProblems.interactions(users: 40, items: 60, density: 0.2, seed: 3))
        try checkWithoutDirection(problem.operator_, problem: problem)
    }

    func checkWithoutDirection<Base: SymmetricOperator>(_ base: Base, problem: Problem) throws {
        let context = try SolverContext(problem: problem, dimension: 5, seed: 1)
        let v = try SpectralEmbedding.compute(problem: problem, dimension: 5).embedding
        let y = DiagonallyShiftedOperator(base, adding: zip(v.rowNormsSquared, problem.diagonal).map { $0 - $1 })
        let out = try #require(try MomentumRayleighRitzStep.step(y, basis: v, direction: nil, dimension: 5, context: context))
        let twoBlock = try #require(try RayleighRitzStep.step(y, basis: v, dimension: 5, context: context))
        #expect(out.directionColumns == 0)
        #expect(outerProductDistance(out.v, twoBlock) <= 1e-10)
        // A direction inside span(V) carries nothing new: dropped, the same two-block step.
        let inside = try #require(try MomentumRayleighRitzStep.step(y, basis: v, direction: v.columns(1..<5), dimension: 5, context: context))
        #expect(inside.directionColumns == 0)
        #expect(outerProductDistance(inside.v, twoBlock) <= 1e-10)
    }

    static let problems: [(String, Int)] = [("interactions", 5), ("planted", 4), ("factors", 3), ("sparse", 8)]

    func problem(_ name: String) throws -> Problem {
        switch name {
        case "interactions": return try Problem(interactions: RandomProblems.interactions(users: 25, items: 60, density: 0.2, seed: 7))
        case "planted": return try Problem(dense: RandomProblems.planted(items: 30, rank: 4, seed: 3).x)
        case "factors": return try Problem(dense: FactorAnalysisProblems.weaklyIdentified(variables: 30, seed: 1).r)
        default: return try Problem(interactions: RandomProblems.interactions(users: 40, items: 90, density: 0.1, seed: 12))
        }
    }

    @Test(arguments: AlternatingImputation.Acceleration.allCases)
    func lossIsMonotone(acceleration: AlternatingImputation.Acceleration) throws {
        for (name, dim) in Self.problems {
            let p = try problem(name)
            let r = try Driver.run(AlternatingImputation(inner: .lobpcg, acceleration: acceleration), problem: p, dimension: dim,
                                   options: DriverOptions(maxIterations: 60, relativeTolerance: 0))
            #expect(r.iterations > 1, "\(name)")
            for (a, b) in zip(r.trace, r.trace.dropFirst()) { #expect(b.loss <= a.loss, "\(name): \(a.loss) → \(b.loss)") }
            #expect(r.finalLoss < r.trace[0].loss)
        }
    }

    /// The lobpcg loops (plain and accelerated) stop at the plain subspace loop's fixed point.
    @Test(arguments: AlternatingImputation.Acceleration.allCases)
    func reachesThePlainLoopsFixedPoint(acceleration: AlternatingImputation.Acceleration) throws {
        // Identified well enough that the plain loop reaches the fixed point before the loss goes
        // flat in floating point (on the default, nearly unidentified problem it stops ~1e-5 short
        // in d while its loss is 1e-10 above the accelerated loops').
        let factors = FactorAnalysisProblems.weaklyIdentified(variables: 30, samples: 1000, crossLoading: 0.1, seed: 1).r
        let cases = [(try Problem(dense: factors), 3),
                     (try Problem(interactions: RandomProblems.interactions(users: 40, items: 90, density: 0.1, seed: 12)), 8)]
        for (k, (p, dim)) in cases.enumerated() {
            let options = DriverOptions(maxIterations: 100_000, relativeTolerance: 0)
            let plain = try Driver.run(AlternatingImputation(inner: .subspace, acceleration: .none), problem: p, dimension: dim, options: options)
            let fast = try Driver.run(AlternatingImputation(inner: .lobpcg, acceleration: acceleration), problem: p, dimension: dim, options: options)
            #expect(plain.termination == .methodConverged && fast.termination == .methodConverged, "problem \(k)")
            #expect(abs(plain.finalLoss - fast.finalLoss) <= 1e-10 * plain.finalLoss, "problem \(k): \(plain.finalLoss) vs \(fast.finalLoss)")
            let a = try #require(plain.extras["communalities"]), b = try #require(fast.extras["communalities"])
            let scale = a.map(abs).max()!
            #expect(zip(a, b).map { abs($0 - $1) }.max()! <= 1e-6 * scale, "problem \(k)")
            // Never slower; on the factor problem (D = 3, a clear gap) the plain loop's inner step is
            // already converged, so only the acceleration shortens it.
            #expect(fast.iterations <= plain.iterations, "problem \(k): \(fast.iterations) vs \(plain.iterations)")
        }
    }
}
