import XCTest
import LinearAlgebra
@testable import Solvers
import TestSupport

/// Participants that hold only their own rows V_b (`ItemDistribution.holdsOwnRowsOnly`): the
/// objective, the eigen start and the solvers on a `ThreadTeam`, compared with one process cut into
/// the same blocks. Uneven blocks (37 items of uneven popularity over 2 and 3 participants).
final class LocalRowsTests: XCTestCase, ThreadTeamTestCase {
    static let ownRowsOnly = true

    func rows(_ m: Matrix, _ r: Range<Int>) -> Matrix { Matrix(rows: r.count, columns: m.columns) { i, j in m[r.lowerBound + i, j] } }

    func testLossAndGradientFromTheOwnRowsOnly() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        var rng = SplitMix64(seed: 3)
        let d = 5
        let v = RandomProblems.gaussianMatrix(rows: s.columns, columns: d, using: &rng)
        let reference = try MaskedLoss(problem: whole, dimension: d).evaluate(v)
        for ranks in [2, 3] {
            let out = try onTeam(s, ranks: ranks, dimension: d) { problem -> (Range<Int>, Double, Matrix, Double, Double) in
                let held = problem.heldRows
                let loss = try MaskedLoss(problem: problem, dimension: d)
                let (l, g) = loss.evaluate(self.rows(v, held))
                return (held, l, g, loss.loss(self.rows(v, held)), loss.lastErrorBound)
            }
            XCTAssertEqual(out.map { $0.0.count }.reduce(0, +), s.columns)
            for (rank, o) in out.enumerated() {
                XCTAssertLessThan(o.0.count, s.columns, "rank \(rank) holds a block, not all rows")
                XCTAssertEqual(o.2.rows, o.0.count, "the gradient has the block's rows only")
                XCTAssertEqual(o.1, reference.loss, accuracy: 1e-12 * reference.loss, "ranks \(ranks) rank \(rank)")
                XCTAssertLessThan(maxDifference(o.2, rows(reference.gradient, o.0)), 1e-12 * maxAbs(reference.gradient))
                XCTAssertEqual(o.3, o.1, "a loss alone is the same number as with the gradient")
                XCTAssertEqual(o.1.bitPattern, out[0].1.bitPattern, "every participant holds the same loss")
                XCTAssertEqual(o.4.bitPattern, out[0].4.bitPattern, "and the same error bound")
                XCTAssertGreaterThan(o.4, 0)
            }
        }
    }

    func testGramEigenStartMapsBackTheOwnRows() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        let d = 4
        let reference = try SpectralEmbedding.compute(problem: whole, dimension: d, route: .gram, seed: 1)
        for ranks in [2, 3] {
            let out = try onTeam(s, ranks: ranks, dimension: d) { problem in
                (problem.heldRows, try SpectralEmbedding.compute(problem: problem, dimension: d, route: .gram, seed: 1))
            }
            for (held, o) in out {
                XCTAssertEqual(o.embedding.rows, held.count)
                XCTAssertEqual(o.eigenvalues, out[0].1.eigenvalues)
                // Same signs as one process: the column sums are completed over all blocks.
                XCTAssertLessThan(maxDifference(o.embedding, rows(reference.embedding, held)), 1e-9 * maxAbs(reference.embedding))
            }
        }
    }

    /// The block eigensolver with panels of the own rows only (own-rows products, completed Grams
    /// and norms): the one-process eigenvalues and embedding rows, and the same bits on every
    /// participant. More users than items, so `automatic` takes the block route as in one process.
    func testBlockEigenStartOnTheOwnRowsMatchesOneProcess() throws {
        let s = try interactions(users: 60, items: 37)
        let whole = try Problem(interactions: s)
        let d = 4
        XCTAssertEqual(try SpectralEmbedding.resolve(.automatic, for: whole, dimension: d), .block)
        // Residuals to 1e-12·λ_max, so that two solves' vectors agree to ~1e-12·λ_max/gap (at the
        // default 1e-8 they differ by 2e-7 relative here, each being within its own tolerance).
        let reference = try SpectralEmbedding.compute(problem: whole, dimension: d, route: .block, blockTolerance: 1e-12, seed: 1)
        for ranks in [2, 3] {
            let out = try onTeam(s, ranks: ranks, dimension: d) { problem in
                (problem.heldRows, try SpectralEmbedding.compute(problem: problem, dimension: d, route: .automatic, blockTolerance: 1e-12, seed: 1))
            }
            for (held, o) in out {
                XCTAssertEqual(o.route, .block)
                XCTAssertEqual(o.embedding.rows, held.count, "the block's rows only")
                XCTAssertLessThan(held.count, s.columns)
                XCTAssertEqual(o.eigenvalues.map(\.bitPattern), out[0].1.eigenvalues.map(\.bitPattern), "every participant the same bits")
                for j in 0..<d {
                    XCTAssertEqual(o.eigenvalues[j], reference.eigenvalues[j], accuracy: 1e-10 * reference.eigenvalues[j], "ranks \(ranks) pair \(j)")
                }
                XCTAssertLessThan(maxDifference(o.embedding, rows(reference.embedding, held)), 1e-8 * maxAbs(reference.embedding), "ranks \(ranks)")
            }
        }
    }

    func testRandomStartIsTheOneProcessStartCutIntoBlocks() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        let reference = try StartingPoint.make(.random(scale: 0.5), problem: whole, dimension: 3, seed: 9).0
        let out = try onTeam(s, ranks: 3, dimension: 3) { problem in
            (problem.heldRows, try StartingPoint.make(.random(scale: 0.5), problem: problem, dimension: 3, seed: 9).0)
        }
        for (held, v) in out { XCTAssertEqual(v.storage, rows(reference, held).storage) }
    }

    /// X·E and newton's Hessian-vector product from the own rows (E_b, V_b): the block's rows of
    /// the one-process products, with EᵀV completed across participants.
    func testHessianProductFromTheOwnRowsOnly() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        var rng = SplitMix64(seed: 11)
        let d = 4
        let v = RandomProblems.gaussianMatrix(rows: s.columns, columns: d, using: &rng)
        let e = RandomProblems.gaussianMatrix(rows: s.columns, columns: d, using: &rng)
        func product(_ problem: Problem, _ v: Matrix, _ e: Matrix) throws -> (xe: Matrix, hessian: Matrix) {
            let objective = try MaskedLoss(problem: problem, dimension: d)
            var gram = BLAS.gram(v)
            problem.itemSums.reduce(&gram)
            let excess = zip(v.rowNormsSquared, problem.diagonal[problem.heldRows]).map { $0 - $1 }
            var hv = Matrix(rows: v.rows, columns: d)
            TrustRegionNewton.hessianProduct(e, at: v, gram: gram, excess: excess, objective: objective,
                                             sums: problem.itemSums, into: &hv)
            return (objective.applyX(e), hv)
        }
        let reference = try product(whole, v, e)
        for ranks in [2, 3] {
            let out = try onTeam(s, ranks: ranks, dimension: d) { problem in
                (problem.heldRows, try product(problem, self.rows(v, problem.heldRows), self.rows(e, problem.heldRows)))
            }
            XCTAssertEqual(out.map { $0.0.count }.reduce(0, +), s.columns)
            for (held, o) in out {
                XCTAssertEqual(o.xe.rows, held.count)
                XCTAssertLessThan(maxDifference(o.xe, rows(reference.xe, held)), 1e-12 * maxAbs(reference.xe), "ranks \(ranks)")
                XCTAssertLessThan(maxDifference(o.hessian, rows(reference.hessian, held)), 1e-12 * maxAbs(reference.hessian),
                                  "ranks \(ranks)")
            }
        }
    }

    /// lbfgs (both preconditioner forms, both pair precisions), gd, adam, eigen and newton: same
    /// iterations, loss within 1e-10, embedding rows equal to the one-process rows of the block.
    func testSolversOnOwnRowsMatchOneProcess() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        var cases: [(String, SolverSettings)] = []
        func add(_ name: String, _ change: (inout SolverSettings) -> Void) {
            var settings = SolverSettings(dimension: 4)
            settings.maxIterations = 25
            settings.relativeTolerance = 0
            change(&settings)
            cases.append((name, settings))
        }
        add(LBFGS.methodName) { _ in }
        add(LBFGS.methodName) { $0[LBFGS.Settings.self].pairPrecision = .double }
        add(LBFGS.methodName) { $0.initialPoint = .random(scale: 0.3) } // the full Gram form (VᵀV not diagonal)
        add(LBFGS.methodName) { $0[LBFGS.Settings.self].preconditioning = .none; $0[LBFGS.Settings.self].memory = 5 }
        add(GradientDescent.methodName) { $0.initialPoint = .random(scale: 0.3) }
        add(Adam.methodName) { _ in }
        add(EigenMethod.methodName) { _ in }
        add(TrustRegionNewton.methodName) { _ in }
        add(TrustRegionNewton.methodName) { $0.initialPoint = .random(scale: 0.3) } // negative curvature is met
        for (kind, settings) in cases {
            let method = try MethodRegistry.named(kind)
            let reference = try method.run(problem: whole, settings: settings)
            for ranks in [2, 3] {
                let out = try onTeam(s, ranks: ranks, dimension: 4) { problem in
                    (problem.heldRows, try method.run(problem: problem, settings: settings))
                }
                for (held, o) in out {
                    let label = "\(kind) \(settings.initialPoint) ranks \(ranks)"
                    XCTAssertEqual(o.embedding.rows, held.count, "\(label): the participant's V has its block's rows only")
                    XCTAssertEqual(o.iterations, reference.iterations, label)
                    XCTAssertEqual(o.termination, reference.termination, label)
                    XCTAssertEqual(o.finalLoss, reference.finalLoss, accuracy: 1e-10 * reference.finalLoss, label)
                    XCTAssertEqual(o.finalLoss.bitPattern, out[0].1.finalLoss.bitPattern, "\(label): ranks disagree")
                    XCTAssertEqual(o.trace.map { $0.gradientNorm }, out[0].1.trace.map { $0.gradientNorm }, label)
                    XCTAssertLessThan(maxDifference(o.embedding, rows(reference.embedding, held)), 1e-7 * maxAbs(reference.embedding), label)
                }
            }
        }
    }

    func testReplicatedMethodsKeepAllRows() throws {
        // A distribution built without own rows keeps V replicated: every participant holds all M rows.
        let s = try interactions()
        let team = ThreadTeam(size: 2)
        let bounds = ItemDistribution.balancedBounds(itemNonzeros: [Int](repeating: 1, count: s.columns), parts: 2, dimension: 4)
        try team.run { comm in
            let distribution = ItemDistribution(communicator: comm, bounds: bounds, ownRowsOnly: false)
            let problem = try Problem(interactionsBlock: try distribution.localBlock(of: s), distribution: distribution)
            XCTAssertEqual(problem.heldRows, 0..<s.columns)
            XCTAssertFalse(problem.itemSums.isDistributed)
        }
        // More participants than items: empty blocks fall back to replicated rows.
        let tiny = try SparseMatrix(rows: 2, columns: 2, triplets: [(0, 0, 1), (1, 1, 1)])
        let few = ThreadTeam(size: 3)
        let thin = ItemDistribution.balancedBounds(itemNonzeros: [1, 1], parts: 3, dimension: 1)
        try few.run { comm in
            let distribution = ItemDistribution(communicator: comm, bounds: thin, ownRowsOnly: true)
            XCTAssertFalse(distribution.holdsOwnRowsOnly)
            _ = tiny
        }
    }
}
