import Testing
import Foundation
import LinearAlgebra
import Solvers
import Evaluation
@testable import Workflows
import TestSupport

@Suite struct FactorRunTests {
    /// A sample correlation matrix of data drawn from a two-factor model: the fit is not exact,
    /// so lbfgs (minres) and impute (iterated principal axis) must find the same optimum.
    static func sampleCorrelation(seed: UInt64) throws -> Matrix {
        var rng = SplitMix64(seed: seed)
        let l = Matrix([[0.8, 0.1], [0.7, 0.0], [0.6, 0.2], [0.7, -0.1], [0.1, 0.7], [0.0, 0.6], [0.2, 0.8], [-0.1, 0.5]])
        let n = 300
        var x = Matrix(rows: n, columns: l.rows)
        for i in 0..<n {
            let f = [rng.nextGaussian(), rng.nextGaussian()]
            for v in 0..<l.rows {
                let u2 = 1 - l[v, 0] * l[v, 0] - l[v, 1] * l[v, 1]
                x[i, v] = l[v, 0] * f[0] + l[v, 1] * f[1] + u2.squareRoot() * rng.nextGaussian()
            }
        }
        return try FactorAnalysis.correlation(of: x)
    }

    static func fit(_ kind: String, _ r: Matrix, rotation: FactorRotation) throws -> FactorRun {
        var settings = SolverSettings(dimension: 2)
        settings.maxIterations = 20_000
        settings.relativeTolerance = 0
        settings.gradientTolerance = 1e-11
        if kind == AlternatingImputation.methodName { settings.relativeTolerance = 1e-15; settings.gradientTolerance = 0 }
        return try FactorRun.fit(problem: try Problem(dense: r), method: try MethodRegistry.named(kind), settings: settings, rotation: rotation)
    }

    @Test(arguments: [FactorRotation.none, .varimax, .promax])
    func lbfgsAndImputeAgreeAfterOrientation(rotation: FactorRotation) throws {
        let r = try Self.sampleCorrelation(seed: 21)
        let a = try Self.fit("lbfgs", r, rotation: rotation)
        let b = try Self.fit("impute", r, rotation: rotation)
        #expect(abs(a.solution.maskedLoss - b.solution.maskedLoss) <= 1e-8 * a.solution.maskedLoss)
        let gap = zip(a.solution.loadings.storage, b.solution.loadings.storage).map { abs($0 - $1) }.max()!
        #expect(gap < 1e-4, "loadings differ by \(gap)")
        // Without orientation the solvers' raw loadings are in different frames.
        let raw = zip(a.result.embedding.storage, b.result.embedding.storage).map { abs($0 - $1) }.max()!
        #expect(raw > 1e-3 || rotation != .none)
        #expect(a.solution.maskedLoss > 0)
    }

    /// impute is iterated principal axis: its loadings equal the textbook iteration's.
    @Test func imputeIsIteratedPrincipalAxis() throws {
        let r = try Self.sampleCorrelation(seed: 4)
        var reduced = r
        var pa = Matrix(rows: r.rows, columns: 2)
        for _ in 0..<20_000 {
            let (values, vectors) = try LAPACK.largestEigenpairs(reduced, count: 2)
            pa = Matrix(rows: r.rows, columns: 2) { i, j in vectors[i, j] * max(values[j], 0).squareRoot() }
            let h2 = pa.rowNormsSquared
            var change = 0.0
            for i in 0..<r.rows { change = max(change, abs(reduced[i, i] - h2[i])); reduced[i, i] = h2[i] }
            if change < 1e-14 { break }
        }
        let direct = try FactorAnalysis.principalAxisOrientation(pa)
        let b = try Self.fit("impute", r, rotation: .none)
        let gap = zip(direct.storage, b.solution.loadings.storage).map { abs($0 - $1) }.max()!
        #expect(gap < 1e-5, "impute vs principal axis: \(gap)")
    }

    @Test func sampledSolversAreRefused() throws {
        let r = try Self.sampleCorrelation(seed: 1)
        #expect(throws: ProblemError.self) { try Self.fit("sgns", r, rotation: .none) }
    }
}
