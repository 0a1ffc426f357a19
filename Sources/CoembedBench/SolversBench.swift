import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Reporting
import Workflows

struct SolversBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solvers",
        abstract: "Each solver on ml-latest-small: time to 1e-3, 1e-6 and 1e-10 of the best loss any method found.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Seconds per solver.")
    var timeLimit: Double = 60

    @Option(help: "Solvers to run (comma-separated), each optionally with settings as in compare, e.g. lbfgs:memory=3.")
    var solvers: String = MethodRegistry.defaultComparison.map(\.name).joined(separator: ",")

    @Option(help: "Reference best loss (e.g. 40207.6760714893 from a full run), so that a run of a subset of the solvers measures its gaps against it; the smaller of this and the best final loss is used.")
    var bestLoss: Double?

    @Option(help: "impute's accelerations, comma-separated: one impute row each (default: the solver's default).")
    var accelerations: String?

    @Option(help: "impute's Anderson memory (default: the solver's default).")
    var accelerationMemory: Int?

    @Flag(help: "Print every iteration of every solver (seconds, gap to the best loss, extras).")
    var trace = false

    @Option(help: "With --best-loss: stop each solver once its relative gap to it is at most this (e.g. 1e-6).")
    var stopAtGap: Double?

    func run() throws {
        print("machine: \(machineDescription())")
        MaskedLoss.defaultEvaluationScheme = options.scheme
        print("loss + gradient scheme: \(options.scheme.rawValue)")
        let dataset = try Dataset.ratings(URL(fileURLWithPath: options.ratings), likeThreshold: 4)
        let problem = dataset.problem
        let eigenTime = try medianSeconds(options.repeats) {
            _ = try SpectralEmbedding.compute(problem: problem, dimension: options.dim)
        }
        print(String(format: "eigen initialisation (gram backend) after loading: median %.1f ms over %d runs",
                     eigenTime.median * 1e3, options.repeats))
        var results: [SolverResult] = []
        var base = SolverSettings(dimension: options.dim)
        base.maxIterations = 1_000_000
        base.timeLimit = timeLimit
        base.relativeTolerance = 0
        let accelerationVariants: [AlternatingImputation.Acceleration?] = try accelerations.map {
            try $0.split(separator: ",").map { name in
                guard let a = AlternatingImputation.Acceleration(rawValue: String(name)) else { throw ValidationError("unknown acceleration \(name)") }
                return a
            }
        } ?? [nil]
        for spec in try SolverSpec.list(solvers) {
            let isImpute = spec.method.name == AlternatingImputation.methodName
            for acceleration in isImpute ? accelerationVariants : [nil] {
                var settings = try spec.run(base: base).settings
                if isImpute {
                    if let acceleration { settings[AlternatingImputation.Settings.self].acceleration = acceleration }
                    if let accelerationMemory { settings[AlternatingImputation.Settings.self].accelerationMemory = accelerationMemory }
                    try settings[AlternatingImputation.Settings.self].validate()
                }
                let stop: ((TraceEntry) -> Bool)? = stopAtGap.flatMap { gap in
                    bestLoss.map { best in { entry in (entry.loss - best) > gap * best } }
                }
                let cpu0 = processCPUSeconds()
                // The process CPU time at the start (iteration 0) and at the last iteration: the
                // run's total also holds the work after it (the reported loss's direct sum).
                var cpuAtStart = cpu0, cpuAtLast = cpu0
                let watch: (TraceEntry) -> Bool = { entry in
                    let now = processCPUSeconds()
                    if entry.iteration == 0 { cpuAtStart = now }
                    cpuAtLast = now
                    return stop?(entry) ?? true
                }
                var r = try spec.method.run(problem: problem, settings: settings, readStart: StartFile.read, callback: watch)
                let cpu = processCPUSeconds() - cpu0
                if isImpute {
                    let refits = r.trace.reduce(0) { $0 + Int($1.extras["refits"] ?? 1) } - 1
                    r.method = "\(spec.label) (\(settings[AlternatingImputation.Settings.self].acceleration.rawValue), \(refits) refits)"
                } else {
                    r.method = spec.label
                }
                results.append(r)
                // Wall time per iteration from the first trace entry (the start, eigen start included,
                // is before it) and the evaluations (loss + gradient, line-search trials included).
                let wallPerIteration = r.iterations > 0 ? (r.trace.last!.seconds - r.trace[0].seconds) / Double(r.iterations) : 0
                print(String(format: "  %@: %d iterations in %.2f s (start %.3f s, then %.1f ms per iteration), %d gradient evaluations, %d losses, loss %.12g (%@); CPU time %.2f s (all threads), %.1f ms per iteration",
                             r.method, r.iterations, r.seconds, r.trace[0].seconds, wallPerIteration * 1e3, r.gradientEvaluations,
                             r.lossEvaluations, r.finalLoss, r.termination.rawValue, cpu,
                             r.iterations > 0 ? cpu / Double(r.iterations) * 1e3 : 0))
                print(String(format: "    CPU time: start %.2f s, iterations %.2f s (%.1f ms per iteration), after the last iteration %.2f s",
                             cpuAtStart - cpu0, cpuAtLast - cpuAtStart,
                             r.iterations > 0 ? (cpuAtLast - cpuAtStart) / Double(r.iterations) * 1e3 : 0, cpu - (cpuAtLast - cpu0)))
                if trace {
                    for e in r.trace {
                        let extras = e.extras.keys.sorted().map { String(format: "%@ %.3g", $0, e.extras[$0]!) }.joined(separator: ", ")
                        print(String(format: "    %4d %8.2f s  loss %.15g  gap %.2e  %@", e.iteration, e.seconds, e.loss,
                                     (e.loss - (bestLoss ?? 0)) / max(bestLoss ?? 1, 1e-300), extras))
                    }
                }
            }
        }
        let series = results.map { r in
            ConvergenceSeries(solver: r.method, points: r.trace.map { ConvergencePoint(iteration: $0.iteration, seconds: $0.seconds, loss: $0.loss) })
        }
        let best = min(results.map(\.finalLoss).min()!, bestLoss ?? .infinity)
        let analysis = Convergence.analyze(series, best: best)
        print(String(format: "best loss: %.15g", best))
        let levels = analysis.series.first?.tolerances ?? []
        print("| solver | iterations | seconds | s/iteration | final gap | " + levels.map { "time to \(Convergence.text(tolerance: $0))" }.joined(separator: " | ") + " |")
        print("|:--|--:|--:|--:|--:|" + String(repeating: "--:|", count: levels.count))
        for (r, t) in zip(results, analysis.series) {
            let perIteration = r.iterations > 0 ? (r.trace.last!.seconds - r.trace[0].seconds) / Double(r.iterations) : 0
            func f(_ c: ToleranceCrossing?) -> String { c.map { String(format: "%.3f s (it %d)", $0.seconds, $0.iteration) } ?? "not reached" }
            print(String(format: "| %@ | %d | %.2f | %.4f | %.2e | ", r.method, r.iterations, r.seconds, perIteration,
                         Convergence.relativeGap(loss: r.finalLoss, best: best)) + t.crossings.map(f).joined(separator: " | ") + " |")
        }
    }
}
