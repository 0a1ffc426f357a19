import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation

/// A factor analysis of a correlation (or covariance) matrix through one solver of the masked
/// loss: the solver's loadings, then orientation, rotation and psych-style summaries.
public struct FactorRun: Sendable {
    public var result: SolverResult
    public var solution: FactorSolution

    /// Fits `settings.dimension` factors to `problem` with `method` (a masked-loss solver: lbfgs
    /// reaches the minres optimum, impute is iterated principal axis) and summarises the fit.
    public static func fit(problem: Problem, method: RegisteredMethod, settings: SolverSettings, rotation: FactorRotation,
                           readStart: ((URL) throws -> Matrix)? = StartFile.read,
                           progress: ((TraceEntry) -> Bool)? = nil) throws -> FactorRun {
        guard method.family == .maskedLoss else {
            let choices = MethodRegistry.defaultComparison.map(\.name).joined(separator: ", ")
            throw ProblemError.invalidOption("\(method.name) minimises a sampled objective, not the factor model's residuals; use one of \(choices)")
        }
        let result = try method.run(problem: problem, settings: settings, readStart: readStart, callback: progress)
        guard result.finalLoss.isFinite, result.embedding.isFinite else {
            throw ProblemError.nonFinite("\(method.name) returned a non-finite fit")
        }
        let solution = try FactorAnalysis.solution(loadings: result.embedding, diagonal: problem.diagonal,
                                                   maskedLoss: result.finalLoss, rotation: rotation)
        return FactorRun(result: result, solution: solution)
    }

    /// A data file (observations × variables, CSV with an optional header) as the problem of its
    /// correlation matrix, with the variable names (the header, or V1…Vp).
    public static func correlationProblem(data url: URL) throws -> (problem: Problem, names: [String]) {
        let x = try DenseMatrixCSV.read(url)
        let names = try VariableNames.read(url, count: x.columns)
        let r = try FactorAnalysis.correlation(of: x, names: names)
        return (try Problem(dense: r), names)
    }

    /// The table psych::fa prints: loadings with h2, u2 and com; the variance table; Φ for an
    /// oblique rotation; RMSR and the masked loss.
    public static func text(_ s: FactorSolution, names: [String], prefix: String) -> String {
        let k = s.loadings.columns
        let factors = (1...k).map { "\(prefix)\($0)" }
        let nameWidth = max(names.map(\.count).max() ?? 0, 21)
        func pad(_ t: String, _ w: Int) -> String { t.count >= w ? t : t + String(repeating: " ", count: w - t.count) }
        func cell(_ x: Double, _ w: Int = 6) -> String {
            let t = String(format: "%.2f", x)
            return String(repeating: " ", count: max(0, w - t.count)) + t
        }
        func head(_ t: String, _ w: Int = 6) -> String { String(repeating: " ", count: max(0, w - t.count)) + t }
        var lines: [String] = []
        let kind = s.phi == nil ? "loadings" : "loadings (pattern matrix)"
        lines.append("Standardized \(kind), rotation: \(s.rotation.rawValue)")
        lines.append(pad("", nameWidth) + factors.map { head($0) }.joined() + head("h2") + head("u2") + head("com"))
        for i in 0..<s.loadings.rows {
            var row = pad(names[i], nameWidth)
            for j in 0..<k { row += cell(s.loadings[i, j]) }
            row += cell(s.communalities[i]) + cell(s.uniquenesses[i])
            row += s.complexity[i].map { cell($0) } ?? head("—")
            lines.append(row)
        }
        lines.append("")
        lines.append(pad("", nameWidth) + factors.map { head($0) }.joined())
        for (label, values) in [("SS loadings", s.ssLoadings), ("Proportion Var", s.proportionVariance),
                                ("Cumulative Var", s.cumulativeVariance), ("Proportion Explained", s.proportionExplained),
                                ("Cumulative Proportion", s.cumulativeProportion)] {
            lines.append(pad(label, nameWidth) + values.map { cell($0) }.joined())
        }
        if let phi = s.phi {
            lines.append("")
            lines.append("With factor correlations of")
            lines.append(pad("", nameWidth) + factors.map { head($0) }.joined())
            for a in 0..<k { lines.append(pad(factors[a], nameWidth) + (0..<k).map { cell(phi[a, $0]) }.joined()) }
        }
        lines.append("")
        lines.append(String(format: "The root mean square of the residuals (RMSR) is %.4g", s.rmsr))
        lines.append(String(format: "masked loss Σ_{i≠j} (R_ij − (ΛΦΛᵀ)_ij)² = %.17g", s.maskedLoss))
        return lines.joined(separator: "\n") + "\n"
    }
}
