import Foundation
import Testing
import LinearAlgebra
import TestSupport
import DataIO
@testable import Solvers

/// The solvers checked against each other, and the implicit loss against the entry-by-entry sum,
/// on the bundled ml-latest-small (610 users × 9,724 items, like ≥ 4) at a small D, so that the
/// real data's sparsity pattern, empty items and heavy users are exercised, not just random ones.
@Suite(.serialized) struct RealDataAgreementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func problem() throws -> Problem {
        let interactions = try MovieLens.load(ratings: root.appendingPathComponent("data/ml-latest-small/ratings.csv"))
        return try Problem(interactions: interactions.matrix)
    }

    /// The printed eigen loss is the one a brute-force sum over every i ≠ j gives (blocked, since
    /// a dense 9,724² X would take 756 MB).
    @Test func eigenLossEqualsTheDirectSum() throws {
        let problem = try Self.problem()
        let r = try Driver.run(EigenMethod(), problem: problem, dimension: 6)
        let direct = MaskedLoss.direct(problem: problem, v: r.embedding, blockSize: 1024)
        #expect(relativeError(r.finalLoss, direct) <= 1e-10, "implicit \(r.finalLoss), direct \(direct)")
        #expect(r.finalLoss < problem.offDiagonalNormSquared)
    }

    /// impute, adam and lbfgs from the eigen start end at the same loss (the acceptance,
    /// at D = 6 so that every method converges within the test's budget), and impute's trace never
    /// rises.
    @Test func imputeAdamAndLBFGSAgreeOnRealData() throws {
        let problem = try Self.problem()
        var settings = SolverSettings(dimension: 6)
        settings.relativeTolerance = 0
        var finals: [String: Double] = [:]
        settings[Adam.Settings.self].learningRate = 1e-2
        for (method, iterations) in [(RegisteredMethod(LBFGS.self), 400), (RegisteredMethod(AlternatingImputation.self), 3000),
                                     (RegisteredMethod(Adam.self), 6000)] {
            settings.maxIterations = iterations
            let r = try method.run(problem: problem, settings: settings)
            finals[method.name] = r.finalLoss
            if method.name == AlternatingImputation.methodName {
                let losses = r.trace.map(\.loss)
                for k in 1..<losses.count { #expect(losses[k] <= losses[k - 1] * (1 + 1e-13), "impute rose at \(k)") }
            }
        }
        let best = finals.values.min()!
        for (kind, loss) in finals {
            #expect((loss - best) / best <= 1e-6, "\(kind): \(loss) vs best \(best)")
        }
        // The eigen start is measurably worse: the agreement above is not every method standing still.
        let eigen = try RegisteredMethod(EigenMethod.self).run(problem: problem, settings: settings).finalLoss
        #expect((eigen - best) / best > 1e-3)
    }
}
