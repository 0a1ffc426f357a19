import XCTest
import LinearAlgebra
@testable import Solvers
import TestSupport

/// impute on local rows (ThreadTeam participants holding V_b): the accelerations, the distributed
/// pieces of the Rayleigh–Ritz step and of the extrapolations, against one process.
extension LocalRowsTests {
    /// Every acceleration, from the eigen start (orthogonal columns: the CholeskyQR path) and from a
    /// random start (columns not orthogonal: CholeskyQR2 on the completed Gram instead of Householder).
    func testImputeOnOwnRowsMatchesOneProcess() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        var cases: [SolverSettings] = []
        for acceleration in AlternatingImputation.Acceleration.allCases {
            for start in [InitialPoint.eigen, .random(scale: 0.3)] {
              for inner in [AlternatingImputation.Inner.lobpcg, .subspace] {
                var settings = SolverSettings(dimension: 4)
                settings[AlternatingImputation.Settings.self].inner = inner
                // lobpcg with SQUAREM reaches this problem's loss floor after ~8 iterations, where
                // the step that no longer lowers the loss is decided by rounding: stop before it.
                settings.maxIterations = inner == .lobpcg ? 6 : 12
                settings.relativeTolerance = 0
                settings.initialPoint = start
                settings[AlternatingImputation.Settings.self].acceleration = acceleration
                settings[AlternatingImputation.Settings.self].accelerationMemory = 3
                cases.append(settings)
              }
            }
        }
        let method = try MethodRegistry.named(AlternatingImputation.methodName)
        for settings in cases {
            let reference = try method.run(problem: whole, settings: settings)
            XCTAssertGreaterThan(reference.iterations, 3)
            for ranks in [2, 3] {
                let out = try onTeam(s, ranks: ranks, dimension: 4) { problem in
                    (problem.heldRows, try method.run(problem: problem, settings: settings))
                }
                for (held, o) in out {
                    let label = "impute \(settings[AlternatingImputation.Settings.self].inner) \(settings[AlternatingImputation.Settings.self].acceleration) \(settings.initialPoint) ranks \(ranks)"
                    XCTAssertLessThan(held.count, s.columns, label)
                    XCTAssertEqual(o.embedding.rows, held.count, "\(label): the participant's V has its block's rows only")
                    XCTAssertEqual(o.iterations, reference.iterations, label)
                    XCTAssertEqual(o.lossEvaluations, reference.lossEvaluations, label)
                    XCTAssertEqual(o.termination, reference.termination, label)
                    XCTAssertEqual(o.finalLoss, reference.finalLoss, accuracy: 1e-10 * reference.finalLoss, label)
                    XCTAssertEqual(o.finalLoss.bitPattern, out[0].1.finalLoss.bitPattern, "\(label): ranks disagree")
                    XCTAssertEqual(o.trace.map { $0.loss.bitPattern }, out[0].1.trace.map { $0.loss.bitPattern }, label)
                    XCTAssertLessThan(maxDifference(o.embedding, rows(reference.embedding, held)), 1e-7 * maxAbs(reference.embedding), label)
                }
            }
        }
    }

    /// The distributed fallback of the subspace step (a rank-revealing basis of [V, YV] from the
    /// completed Gram instead of Householder QR) gives the one-process Rayleigh–Ritz fit's rows.
    func testOwnRowsRayleighRitzFallbackMatchesHouseholder() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        var rng = SplitMix64(seed: 5)
        let d = 3
        let v = RandomProblems.gaussianMatrix(rows: s.columns, columns: d, using: &rng)
        let shift = zip(v.rowNormsSquared, whole.diagonal).map { $0 - $1 }
        let method = AlternatingImputation()
        let oneContext = try SolverContext(problem: whole, dimension: d, seed: 0)
        let reference = try method.rayleighRitz(DiagonallyShiftedOperator(whole.operator_ as! GramOperator, adding: shift),
                                                basis: v, context: oneContext)
        for ranks in [2, 3] {
            let out = try onTeam(s, ranks: ranks, dimension: d) { problem -> (Range<Int>, Matrix) in
                let held = problem.heldRows
                let context = try SolverContext(problem: problem, dimension: d, seed: 0)
                let y = OwnRowsShiftedOperator(problem.operator_ as! DistributedGramOperator, addingOwnRows: Array(shift[held]))
                return (held, try method.rayleighRitzOwnRows(y, basis: self.rows(v, held), context: context))
            }
            for (held, o) in out {
                XCTAssertEqual(o.rows, held.count)
                XCTAssertLessThan(maxDifference(o, rows(reference, held)), 1e-9 * maxAbs(reference), "ranks \(ranks)")
            }
        }
    }

    /// Anderson's least squares and SQUAREM's step length from rows spread over participants equal
    /// the one-process ones (dgels on the whole system; the one-process norms).
    func testExtrapolationsOnOwnRowsMatchOneProcess() throws {
        var rng = SplitMix64(seed: 8)
        let n = 37, columns = 4
        let a = RandomProblems.gaussianMatrix(rows: n, columns: columns, using: &rng)
        let b = RandomProblems.gaussianMatrix(rows: n, columns: 1, using: &rng).storage
        let s = try interactions()
        for ridge in [0, 1e-3] {
            let reference = try LAPACK.ridgeLeastSquares(a, b, ridge: ridge)
            let out = try onTeam(s, ranks: 3, dimension: 4) { problem -> [Double] in
                let held = problem.heldRows
                return try AndersonAcceleration.distributedRidgeLeastSquares(self.rows(a, held), Array(b[held]), ridge: ridge,
                                                                            sums: problem.itemSums)
            }
            for gamma in out {
                XCTAssertEqual(gamma.map(\.bitPattern), out[0].map(\.bitPattern), "every participant has the same γ")
                for (x, y) in zip(gamma, reference) { XCTAssertEqual(x, y, accuracy: 1e-10 * max(1, abs(y)), "ridge \(ridge)") }
            }
        }
        // A proposal whose ridge (a share of ‖ΔF‖²_F) matters: the norm must be completed too.
        var anderson = AndersonAcceleration(memory: 3, regularization: 0.05)
        for _ in 0..<4 {
            anderson.record(point: RandomProblems.gaussianMatrix(rows: n, columns: 1, using: &rng).storage,
                            image: RandomProblems.gaussianMatrix(rows: n, columns: 1, using: &rng).storage)
        }
        let mixed = try XCTUnwrap(try anderson.proposal())
        let history = anderson.history
        let mixedOut = try onTeam(s, ranks: 3, dimension: 4) { problem -> (Range<Int>, [Double]?) in
            let held = problem.heldRows
            var local = AndersonAcceleration(memory: 3, regularization: 0.05)
            local.restore(points: history.points.map { Array($0[held]) }, images: history.images.map { Array($0[held]) })
            return (held, try local.proposal(sums: problem.itemSums))
        }
        for (held, p) in mixedOut {
            let p = try XCTUnwrap(p)
            for (x, y) in zip(p, mixed[held]) { XCTAssertEqual(x, y, accuracy: 1e-10 * max(1, abs(y)), "Anderson proposal") }
        }
        let x0 = (0..<n).map { _ in Double(rng.next() % 100) }, x1 = x0.map { $0 * 0.9 + 1 }, x2 = x1.map { $0 * 0.9 + 1 }
        let scheme = SQUAREM(maximumStep: 64)
        let reference = try XCTUnwrap(scheme.proposal(x0: x0, x1: x1, x2: x2))
        let out = try onTeam(s, ranks: 2, dimension: 4) { problem in
            let held = problem.heldRows
            return (held, scheme.proposal(x0: Array(x0[held]), x1: Array(x1[held]), x2: Array(x2[held]), sums: problem.itemSums))
        }
        for (held, p) in out {
            let p = try XCTUnwrap(p)
            XCTAssertEqual(p.steplength, reference.steplength, accuracy: 1e-12 * reference.steplength)
            for (x, y) in zip(p.point, reference.point[held]) { XCTAssertEqual(x, y, accuracy: 1e-12 * max(1, abs(y))) }
        }
    }

    /// The exact inner step is not distributed: refused before any work, with the reason.
    func testExactInnerStepIsRefusedOnOwnRows() throws {
        let s = try interactions()
        var settings = SolverSettings(dimension: 3)
        settings[AlternatingImputation.Settings.self].inner = .exact
        let method = try MethodRegistry.named(AlternatingImputation.methodName)
        let out = try onTeam(s, ranks: 2, dimension: 3) { problem -> String in
            do { _ = try method.run(problem: problem, settings: settings); return "ran" } catch { return "\(error)" }
        }
        for message in out { XCTAssertTrue(message.contains("--impute-inner exact"), message) }
    }
}
