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

    @Option(help: "Solver of the masked loss: \(MethodRegistry.defaultComparison.map(\.name).joined(separator: ", ")) (lbfgs: minres; impute: iterated principal axis).")
    var solver: String = LBFGS.methodName

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
        let method: RegisteredMethod
        do { method = try MethodRegistry.named(solver) } catch let error as ProblemError { throw ValidationError(error.optionMessage) }
        guard method.family == .maskedLoss else {
            throw ValidationError("--solver \(solver) minimises a sampled objective; use one of \(MethodRegistry.defaultComparison.map(\.name).joined(separator: ", "))")
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
        let method = try MethodRegistry.named(solver)
        let fit = try FactorRun.fit(problem: problem, method: method, settings: settings, rotation: rotate)
        // psych's column prefixes: PA for principal axis, F for the plain eigen fit, MR for minres.
        let prefix = solver == AlternatingImputation.methodName ? "PA" : solver == EigenMethod.methodName ? "F" : "MR"
        print("Factor analysis: \(problem.itemCount) variables, \(factors) factor\(factors == 1 ? "" : "s"), solver \(solver) (\(fit.result.iterations) iterations, \(fit.result.termination.rawValue))")
        print(FactorRun.text(fit.solution, names: names, prefix: prefix), terminator: "")
    }
}
