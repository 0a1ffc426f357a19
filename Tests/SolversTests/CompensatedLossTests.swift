import Foundation
import Testing
import LinearAlgebra
import DataIO
import TestSupport
@testable import Solvers

/// The compensated implicit loss (issue 13, point 2): checked against the double-double
/// evaluation of the definition (`DoubleDouble.maskedLoss`, ReliabilityTests.swift) with the
/// direct sum switched off, so that the compensated path is the one that runs.
@Suite struct CompensatedLossTests {
    /// An objective whose refinement can only be the compensated evaluation.
    static func compensatedObjective(_ problem: Problem, dimension: Int) throws -> MaskedLoss {
        let objective = try MaskedLoss(problem: problem, dimension: dimension)
        objective.allowsDirectSum = false
        objective.compensatedBudget = .infinity
        return objective
    }

    /// The implicit value alone and its actual error against `exact`.
    static func plainError(_ problem: Problem, _ v: Matrix, exact: Double) throws -> Double {
        let plain = try MaskedLoss(problem: problem, dimension: v.columns)
        plain.allowsDirectRefinement = false
        return abs(plain.loss(v) - exact)
    }

    /// The case of the issue: X_ii = 1e12, off-diagonal entries 0…8, the eigen start at D = M
    /// (‖VᵀV‖²_F ≈ 2e25, L ≈ 4e-4: 29 orders of magnitude below its terms). The plain implicit
    /// value is 4294967296; the compensated one is within its bound of the exact loss, and the
    /// bound within 1e-9 of it.
    @Test func theLargeDiagonalDenseCaseMeetsTheTarget() throws {
        let x = LossAccuracyTests.largeDiagonal(20, diagonal: 1e12, seed: 1)
        let problem = try Problem(dense: x)
        let v = try MethodRegistry.named("eigen").run(problem: problem, settings: SolverSettings(dimension: 20)).embedding
        let exact = DoubleDouble.maskedLoss(x: x, v: v)
        #expect(try Self.plainError(problem, v, exact: exact) > 1e3 * exact, "the plain formula must be the problem here")
        let objective = try Self.compensatedObjective(problem, dimension: 20)
        let value = objective.loss(v)
        #expect(objective.lastEvaluationWasCompensated && !objective.lastEvaluationWasDirect)
        let bound = objective.lastErrorBound
        #expect(abs(value - exact) <= bound, "\(value) vs exact \(exact), bound \(bound)")
        #expect(bound <= 1e-9 * exact, "bound \(bound) on \(exact)")
        // And the loss ignores the diagonal: the same V under X_ii = 3 gives the same value.
        var other = x
        for i in 0..<20 { other[i, i] = 3 }
        let again = try Self.compensatedObjective(Problem(dense: other), dimension: 20).loss(v)
        #expect(abs(again - exact) <= 1e-9 * exact, "with diagonal 3: \(again), exact \(exact)")
    }

    /// The interactions form: heavy users (weight 1e6 on one item each) give X a diagonal near
    /// 1e12 over ordinary 0/1 users; V is the eigen start at D = M. T3 takes the general walk of
    /// the Gram matrix (S is not 0/1) and X_ii the exact sums.
    @Test(arguments: 0..<3)
    func theLargeDiagonalInteractionsCaseMeetsTheTarget(seed: UInt64) throws {
        var rng = SplitMix64(seed: 40 + seed)
        let items = 30, ordinary = 60
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<ordinary { for i in 0..<items where rng.next() % 4 == 0 { triplets.append((u, i, 1)) } }
        for i in 0..<items { triplets.append((ordinary + i, i, 1e6)) }
        let s = try SparseMatrix(rows: ordinary + items, columns: items, triplets: triplets)
        let problem = try Problem(interactions: s)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none) // integers below 2⁵³: exact
        let v = try MethodRegistry.named("eigen").run(problem: problem, settings: SolverSettings(dimension: items)).embedding
        let exact = DoubleDouble.maskedLoss(x: x, v: v)
        #expect(try Self.plainError(problem, v, exact: exact) > 1e-6 * exact)
        let objective = try Self.compensatedObjective(problem, dimension: items)
        let value = objective.loss(v)
        #expect(objective.lastEvaluationWasCompensated)
        let bound = objective.lastErrorBound
        #expect(abs(value - exact) <= bound, "\(value) vs exact \(exact), bound \(bound)")
        #expect(bound <= 1e-9 * exact, "bound \(bound) on \(exact)")
    }

    /// Random ill-scaled problems, dense, sparse and interactions (diagonals 1 … 1e14, weights
    /// 1 … 1e6, V near the eigen start or random): the value is within its bound of the exact loss
    /// every time, and within 1e-9 of it whenever the bound says so. Several cases have a plain
    /// implicit error above 1e-9 of the loss, so a plain evaluation in place of the compensated one fails.
    @Test func randomIllScaledProblemsStayWithinTheirBound() throws {
        var plainFailures = 0, cases = 0
        for seed in 0..<24 as Range<UInt64> {
            var rng = SplitMix64(seed: 700 + seed)
            let problem: Problem, x: Matrix, v: Matrix
            switch seed % 3 {
            case 0, 1:
                let m = 6 + Int(rng.next() % 20)
                var dense = LossAccuracyTests.largeDiagonal(m, diagonal: 0, seed: seed)
                let scale = pow(10, Double(rng.next() % 15))
                for i in 0..<m { dense[i, i] = scale * (1 + Double(rng.next() % 100) / 100) }
                x = dense
                if seed % 3 == 0 {
                    problem = try Problem(dense: dense)
                } else {
                    var triplets: [(row: Int, column: Int, value: Double)] = []
                    for j in 0..<m { for i in 0..<m where dense[i, j] != 0 { triplets.append((i, j, dense[i, j])) } }
                    problem = try Problem(sparse: SparseMatrix(rows: m, columns: m, triplets: triplets))
                }
                let d = 1 + Int(rng.next() % UInt64(m))
                var start = try SpectralEmbedding.compute(problem: problem, dimension: d).embedding
                for k in start.storage.indices { start.storage[k] *= 1 + 1e-3 * rng.nextSigned() }
                v = start
            default:
                let s = RandomProblems.widelyWeightedInteractions(using: &rng)
                problem = try Problem(interactions: s)
                x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
                let d = 1 + Int(rng.next() % UInt64(s.columns))
                v = try SpectralEmbedding.compute(problem: problem, dimension: d).embedding
            }
            let exact = DoubleDouble.maskedLoss(x: x, v: v)
            let evaluator = CompensatedLoss(problem: problem, threads: 1)
            let (value, bound) = evaluator.evaluate(v)
            cases += 1
            #expect(abs(value - exact) <= bound, "seed \(seed): \(value) vs exact \(exact), bound \(bound)")
            if bound <= 1e-10 * exact { #expect(abs(value - exact) <= 1e-10 * exact) }
            if try Self.plainError(problem, v, exact: exact) > 1e-9 * exact {
                plainFailures += 1
                #expect(abs(value - exact) <= 1e-9 * exact, "seed \(seed): \(value) vs exact \(exact), bound \(bound)")
            }
        }
        #expect(plainFailures >= 4, "only \(plainFailures) of \(cases) cases defeat the plain formula")
    }

    /// Fixed pieces merged in order: one thread and two give the same bits, on a problem large
    /// enough for several pieces of items, of users and of Gram rows.
    @Test(arguments: [false, true])
    func theResultDoesNotDependOnTheThreadCount(binary: Bool) throws {
        var rng = SplitMix64(seed: 5)
        let users = 900, items = 300, d = 7
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<users { for i in 0..<items where rng.next() % 20 == 0 { triplets.append((u, i, binary ? 1 : 1 + Double(rng.next() % 5) / 3)) } }
        let problem = try Problem(interactions: SparseMatrix(rows: users, columns: items, triplets: triplets))
        let v = Matrix(rows: items, columns: d) { _, _ in rng.nextSigned() * 3 }
        let one = CompensatedLoss(problem: problem, threads: 1).evaluate(v)
        let two = CompensatedLoss(problem: problem, threads: 2).evaluate(v)
        #expect(one.loss.bitPattern == two.loss.bitPattern && one.bound.bitPattern == two.bound.bitPattern,
                "1 thread \(one), 2 threads \(two)")
        // And it is the loss, with a bound of a few units in its last place (the plain
        // evaluation's is about a thousand times larger here).
        let direct = LossAccuracy.direct(problem: problem, v: v)
        #expect(abs(one.loss - direct.loss) <= one.bound + direct.bound)
        #expect(one.bound <= 1e-15 * one.loss, "bound \(one.bound) on \(one.loss)")
    }

    /// The reported loss takes the compensated value when the direct sum may not run, and its
    /// printed digits follow the new bound.
    @Test func theReportedBudgetsUseTheCompensatedEvaluation() throws {
        let x = LossAccuracyTests.largeDiagonal(20, diagonal: 1e12, seed: 1)
        let problem = try Problem(dense: x)
        let v = try MethodRegistry.named("eigen").run(problem: problem, settings: SolverSettings(dimension: 20)).embedding
        let objective = try MaskedLoss(problem: problem, dimension: 20)
        objective.allowsDirectSum = false
        objective.compensatedBudget = 0 // along a run: over budget, the implicit value stays
        let implicit = objective.loss(v), implicitBound = objective.lastErrorBound
        #expect(!objective.lastEvaluationWasCompensated)
        objective.useReportedBudgets()
        let reported = objective.loss(v)
        #expect(objective.lastEvaluationWasCompensated)
        #expect(objective.lastErrorBound < 1e-6 * implicitBound)
        #expect(LossText.digits(reported, bound: objective.lastErrorBound) > LossText.digits(implicit, bound: implicitBound) + 5)
    }
}
