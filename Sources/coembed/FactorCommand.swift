import ArgumentParser
import Foundation
import LinearAlgebra
import Solvers
import Evaluation
import Workflows

extension FactorRotation: ExpressibleByArgument {}

struct FactorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factor",
        abstract: "Factor analysis of a correlation matrix (or of a data file's correlations), printed as psych::fa prints it.",
        discussion: """
            The masked loss with R a correlation matrix is the minres (ULS) factor criterion: lbfgs
            reaches its optimum, impute is iterated principal axis. Every solver's loadings are taken
            to the principal-axis orientation before rotation, so solvers agree.

            Examples:
              coembed factor --matrix R.npy --factors 2
              coembed factor --data scores.csv --factors 3 --rotate promax
              coembed factor --matrix R.csv --factors 2 --solver impute --rotate none
            """)

    @Option(help: ArgumentHelp("Correlation (or covariance) matrix: .npy, .csv or symmetric .mtx.", valueName: "file"),
            completion: .file(extensions: ["npy", "csv", "mtx"]))
    var matrix: String?

    @Option(help: ArgumentHelp("Data (observations × variables, CSV, header optional): factor its correlation matrix.", valueName: "file"),
            completion: .file(extensions: ["csv"]))
    var data: String?

    @Option(help: "Number of factors k.")
    var factors: Int

    @Option(help: "Rotation: none, varimax (Kaiser, normalised) or promax (power 4, from varimax).")
    var rotate: FactorRotation = .varimax

    @Option(help: "Solver of the masked loss: lbfgs (minres), impute (iterated principal axis), gd, adam or eigen.")
    var solver: SolverKind = .lbfgs

    @Option(help: "Stop after this many iterations.")
    var maxIterations: Int = 10_000

    @Option(help: "Stop when the loss decreases by less than this fraction of itself in one iteration.")
    var tolerance: Double = 1e-14

    @Option(help: "Stop after this many seconds.")
    var timeLimit: Double?

    @Option(help: "Seed for random choices of the solver.")
    var seed: UInt64 = 0

    func validate() throws {
        guard (matrix == nil) != (data == nil) else { throw ValidationError("give one of --matrix FILE or --data FILE") }
        guard factors >= 1 else { throw ValidationError("--factors must be ≥ 1") }
        guard !solver.isSampled else {
            throw ValidationError("--solver \(solver.rawValue) minimises a sampled objective; use lbfgs, impute, gd, adam or eigen")
        }
        guard maxIterations >= 1 else { throw ValidationError("--max-iterations must be ≥ 1") }
        guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--tolerance must be ≥ 0") }
    }

    func run() throws {
        let problem: Problem
        let names: [String]
        if let data {
            (problem, names) = try FactorRun.correlationProblem(data: URL(fileURLWithPath: data))
        } else {
            let url = URL(fileURLWithPath: matrix!)
            problem = try Dataset.matrix(url).problem
            names = try VariableNames.read(url, count: problem.itemCount)
        }
        guard factors < problem.itemCount else {
            throw CLIError("--factors \(factors) needs more variables than factors; the matrix has \(problem.itemCount)")
        }
        if problem.diagonal.contains(where: { abs($0 - 1) > 1e-9 }) {
            FileHandle.standardError.write(Data("note: the diagonal is not all 1 (not a correlation matrix): u2 = R_ii − h2 and proportions are of Σ R_ii\n".utf8))
        }
        var settings = SolverSettings(dimension: factors)
        settings.seed = seed
        settings.maxIterations = maxIterations
        settings.relativeTolerance = tolerance
        settings.timeLimit = timeLimit
        let fit = try FactorRun.fit(problem: problem, kind: solver, settings: settings, rotation: rotate)
        let prefix = solver == .impute ? "PA" : solver == .eigen ? "F" : "MR"
        print("Factor analysis: \(problem.itemCount) variables, \(factors) factor\(factors == 1 ? "" : "s"), solver \(solver.rawValue) (\(fit.result.iterations) iterations, \(fit.result.termination.rawValue))")
        print(FactorRun.text(fit.solution, names: names, prefix: prefix), terminator: "")
    }
}
