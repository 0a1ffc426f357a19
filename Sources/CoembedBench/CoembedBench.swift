import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Reporting
import Workflows

/// Performance figures for docs/performance.md. Run by hand (`make bench`), never in tests.
@main
struct CoembedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coembed-bench",
        abstract: "Print performance figures on the bundled ml-latest-small.",
        subcommands: [ObjectiveBench.self, SolversBench.self, ScaleBench.self],
        defaultSubcommand: ObjectiveBench.self)
}

struct BenchOptions: ParsableArguments {
    @Option(help: "Ratings file (default: data/ml-latest-small/ratings.csv).")
    var ratings: String = "data/ml-latest-small/ratings.csv"

    @Option(help: "Embedding dimension.")
    var dim: Int = 300

    @Option(help: "Repetitions per timing (the median is reported).")
    var repeats: Int = 7
}

/// Median of `repeats` timings of `body`, in seconds.
func medianSeconds(_ repeats: Int, _ body: () throws -> Void) rethrows -> (median: Double, all: [Double]) {
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<max(1, repeats) { times.append(try clock.measure(body).seconds) }
    return (median(times), times)
}

func median(_ times: [Double]) -> Double {
    let sorted = times.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
}

func machineDescription() -> String {
    "\(Machine.description), OpenBLAS threads \(BLAS.threadCount)"
}

struct ObjectiveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objective", abstract: "CSV load, one loss+gradient, and the syrk+gemm floor it cannot beat.")

    @OptionGroup var options: BenchOptions

    func run() throws {
        let url = URL(fileURLWithPath: options.ratings)
        print("machine: \(machineDescription())")
        _ = try MovieLens.load(ratings: url) // warm the page cache
        var interactions: Interactions!
        let load = try medianSeconds(options.repeats) { interactions = try MovieLens.load(ratings: url) }
        print(String(format: "load %@: median %.2f ms over %d runs (%d users, %d items, %d likes)",
                     url.lastPathComponent, load.median * 1e3, options.repeats, interactions.userCount,
                     interactions.itemCount, interactions.likeCount))
        var problem: Problem!
        let setup = try medianSeconds(options.repeats) { problem = try Problem(interactions: interactions.matrix) }
        print(String(format: "problem set-up (‖SSᵀ‖²_F, diagonal, transposes): median %.2f ms", setup.median * 1e3))

        let m = problem.itemCount, d = options.dim
        var rng = SeededGenerator(seed: 1)
        let v = Matrix(rows: m, columns: d) { _, _ in rng.nextGaussian() }
        let loss = try MaskedLoss(problem: problem, dimension: d)
        var gradient = Matrix(rows: m, columns: d)
        _ = loss.lossAndGradient(v, gradient: &gradient)
        var gram = Matrix(rows: d, columns: d)
        var product = Matrix(rows: m, columns: d)
        // The evaluation and the floor alternate (one of each per round) so that both see the same
        // load on a shared machine; the ratio of their medians is the figure of merit.
        let clock = ContinuousClock()
        var evaluationTimes: [Double] = [], floorTimes: [Double] = []
        for _ in 0..<max(1, options.repeats) {
            evaluationTimes.append(clock.measure { _ = loss.lossAndGradient(v, gradient: &gradient) }.seconds)
            floorTimes.append(clock.measure {
                BLAS.syrk(.transpose, v, into: &gram)
                BLAS.gemm(.none, v, .none, gram, into: &product)
            }.seconds)
        }
        let evaluation = (median: median(evaluationTimes), all: evaluationTimes)
        let floor = (median: median(floorTimes), all: floorTimes)
        let lossOnly = medianSeconds(options.repeats) { _ = loss.loss(v) }
        print(String(format: "loss+gradient (M = %d, D = %d): median %.2f ms", m, d, evaluation.median * 1e3))
        print(String(format: "loss only: median %.2f ms", lossOnly.median * 1e3))
        print(String(format: "floor syrk(VᵀV) + gemm(V·VᵀV): median %.2f ms", floor.median * 1e3))
        print(String(format: "ratio loss+gradient / floor: %.3f (fastest runs: %.2f / %.2f ms = %.3f)",
                     evaluation.median / floor.median, evaluation.all.min()! * 1e3, floor.all.min()! * 1e3,
                     evaluation.all.min()! / floor.all.min()!))
    }
}

struct SolversBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solvers",
        abstract: "Each solver on ml-latest-small: time to 1e-3 and 1e-6 of the best loss any method found.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Seconds per solver.")
    var timeLimit: Double = 60

    @Option(help: "Solvers to run (comma-separated).")
    var solvers: String = "eigen,impute,gd,adam,lbfgs"

    @Option(help: "Reference best loss (e.g. 40207.6760714893 from a full run), so that a run of a subset of the solvers measures its gaps against it; the smaller of this and the best final loss is used.")
    var bestLoss: Double?

    @Option(help: "L-BFGS memory (default: the solver's default).")
    var memory: Int?

    func run() throws {
        print("machine: \(machineDescription())")
        let dataset = try Dataset.ratings(URL(fileURLWithPath: options.ratings), likeThreshold: 4)
        let problem = dataset.problem
        let eigenTime = try medianSeconds(options.repeats) {
            _ = try EigenInitializer.compute(problem: problem, dimension: options.dim)
        }
        print(String(format: "eigen initialisation (gram backend) after loading: median %.1f ms over %d runs",
                     eigenTime.median * 1e3, options.repeats))
        var results: [SolverResult] = []
        for name in solvers.split(separator: ",") {
            guard let kind = SolverKind(rawValue: String(name)) else { throw ValidationError("unknown solver \(name)") }
            var settings = SolverSettings(dimension: options.dim)
            settings.maxIterations = 1_000_000
            settings.timeLimit = timeLimit
            settings.relativeTolerance = 0
            if let memory { settings.lbfgsMemory = memory }
            let r = try SolverCatalog.run(kind, problem: problem, settings: settings)
            results.append(r)
            print(String(format: "  %@: %d iterations in %.2f s, loss %.12g (%@)", r.method, r.iterations, r.seconds,
                         r.finalLoss, r.termination.rawValue))
        }
        let series = results.map { r in
            ConvergenceSeries(solver: r.method, points: r.trace.map { ConvergencePoint(iteration: $0.iteration, seconds: $0.seconds, loss: $0.loss) })
        }
        let best = min(results.map(\.finalLoss).min()!, bestLoss ?? .infinity)
        let analysis = Convergence.analyze(series, best: best)
        print(String(format: "best loss: %.15g", best))
        print("| solver | iterations | seconds | s/iteration | final gap | time to 1e-3 | time to 1e-6 |")
        print("|:--|--:|--:|--:|--:|--:|--:|")
        for (r, t) in zip(results, analysis.series) {
            let perIteration = r.iterations > 0 ? (r.trace.last!.seconds - r.trace[0].seconds) / Double(r.iterations) : 0
            func f(_ c: ToleranceCrossing?) -> String { c.map { String(format: "%.3f s (it %d)", $0.seconds, $0.iteration) } ?? "not reached" }
            print(String(format: "| %@ | %d | %.2f | %.4f | %.2e | %@ | %@ |", r.method, r.iterations, r.seconds, perIteration,
                         Convergence.relativeGap(loss: r.finalLoss, best: best), f(t.to1e3), f(t.to1e6)))
        }
    }
}
