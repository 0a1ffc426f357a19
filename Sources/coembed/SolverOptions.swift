import ArgumentParser
import Foundation
import Solvers

extension SolverKind: ExpressibleByArgument {}
extension EigenBackend: ExpressibleByArgument {}
extension AlternatingImputation.Inner: ExpressibleByArgument {}
extension Adam.Schedule: ExpressibleByArgument {}

/// Options every solver run shares (solve and compare).
struct RunOptions: ParsableArguments {
    @Option(name: [.customLong("dim"), .short], help: "Embedding dimension D (1 ≤ D ≤ items).")
    var dimension: Int = 300

    @Option(help: "Starting point of gradient methods and impute: eigen, random, or an .npy embedding file.")
    var initialization: String = "eigen"

    @Option(help: "Standard deviation of the random start (1 = torch.randn).")
    var initScale: Double = 1

    @Option(help: "Seed for every random choice (same seed and inputs → same output).")
    var seed: UInt64 = 0

    @Option(help: "Stop after this many iterations.")
    var maxIterations: Int = 1000

    @Option(help: "Stop after this many seconds (per solver).")
    var timeLimit: Double?

    @Option(help: "Stop when the loss decreases by less than this fraction of itself in one iteration.")
    var tolerance: Double = 1e-12

    @Option(help: "Stop when ‖∇L‖_F falls below this (0 = off).")
    var gradientTolerance: Double = 0

    @Option(help: "Eigensolver: automatic, gram, dense, arpack.")
    var eigenBackend: EigenBackend = .automatic

    @Option(help: "Imputation inner step: subspace (Rayleigh–Ritz on [V, YV]) or exact (full eigensolve).")
    var imputeInner: AlternatingImputation.Inner = .subspace

    @Option(help: "Adam learning rate.")
    var learningRate: Double = 1e-2

    @Option(help: "Adam learning-rate schedule: constant or plateau (halve when the loss rises).")
    var adamSchedule: Adam.Schedule = .plateau

    @Option(help: "L-BFGS memory (number of correction pairs).")
    var memory: Int = 10

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard dimension >= 1 else { throw ValidationError("--dim must be ≥ 1, got \(dimension)") }
        guard maxIterations >= 0 else { throw ValidationError("--max-iterations must be ≥ 0") }
        if let t = timeLimit, !(t > 0) { throw ValidationError("--time-limit must be positive") }
        guard tolerance >= 0, gradientTolerance >= 0 else { throw ValidationError("tolerances must be ≥ 0") }
        guard initScale > 0, initScale.isFinite else { throw ValidationError("--init-scale must be positive") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be positive") }
        guard memory >= 1 else { throw ValidationError("--memory must be ≥ 1") }
        if initialization != "eigen" && initialization != "random" && !FileManager.default.isReadableFile(atPath: initialization) {
            throw ValidationError("--initialization must be eigen, random, or a readable .npy file; cannot read '\(initialization)'")
        }
    }

    var initialPoint: InitialPoint {
        switch initialization {
        case "eigen": return .eigen
        case "random": return .random(scale: initScale)
        default: return .file(URL(fileURLWithPath: initialization))
        }
    }

    var settings: SolverSettings {
        var s = SolverSettings(dimension: dimension)
        s.seed = seed
        s.initialPoint = initialPoint
        s.maxIterations = maxIterations
        s.timeLimit = timeLimit
        s.relativeTolerance = tolerance
        s.gradientTolerance = gradientTolerance
        s.eigenBackend = eigenBackend
        s.imputeInner = imputeInner
        s.learningRate = learningRate
        s.adamSchedule = adamSchedule
        s.lbfgsMemory = memory
        return s
    }
}
