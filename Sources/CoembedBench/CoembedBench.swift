import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Reporting
import Workflows

extension EvaluationScheme: ExpressibleByArgument {}

/// Performance figures for docs/performance.md. Run by hand (`make bench`), never in tests.
@main
struct CoembedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coembed-bench",
        abstract: "Print performance figures on the bundled ml-latest-small.",
        subcommands: [ObjectiveBench.self, SolversBench.self, LoadBench.self, ScaleBench.self, KernelsBench.self],
        defaultSubcommand: ObjectiveBench.self)

    /// Before any BLAS call: restart once with OPENBLAS_CORETYPE set if OpenBLAS fell back to its
    /// generic kernels on a CPU that has AVX2 or AVX-512 (see `BLASCore`).
    static func main() {
        BLASCore.ensureBestCore(verbose: BLASCore.verboseRequested(), programName: "coembed-bench")
        main(nil)
    }
}

struct BenchOptions: ParsableArguments {
    @Option(help: "Ratings file (default: data/ml-latest-small/ratings.csv).")
    var ratings: String = "data/ml-latest-small/ratings.csv"

    @Option(help: "Embedding dimension.")
    var dim: Int = 300

    @Option(help: "Repetitions per timing (the median is reported).")
    var repeats: Int = 7

    @Option(help: "Loss + gradient scheme for X = SᵀS: blocks (item blocks, one per thread, single-threaded BLAS) or shared (sparse passes on our threads, BLAS on OpenBLAS's). The objective benchmark times both.")
    var scheme: EvaluationScheme = MaskedLoss.defaultEvaluationScheme

    @Flag(help: "Say on stderr when the benchmark restarts itself to use OpenBLAS's faster kernels (also COEMBED_VERBOSE=1).")
    var verbose = false
}

/// Median of `repeats` timings of `body`, in seconds.
func medianSeconds(_ repeats: Int, _ body: () throws -> Void) rethrows -> (median: Double, all: [Double]) {
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<max(1, repeats) { times.append(try clock.measure(body).seconds) }
    return (median(times), times)
}

/// CPU seconds used by this process so far, all threads.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func median(_ times: [Double]) -> Double {
    let sorted = times.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
}

func machineDescription() -> String {
    "\(Machine.description); BLAS: \(BLASCore.current)"
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
        loss.evaluationScheme = options.scheme
        let other = try MaskedLoss(problem: problem, dimension: d)
        other.evaluationScheme = options.scheme == .blocks ? .shared : .blocks
        var gradient = Matrix(rows: m, columns: d)
        _ = loss.lossAndGradient(v, gradient: &gradient)
        _ = other.lossAndGradient(v, gradient: &gradient)
        var gram = Matrix(rows: d, columns: d)
        var product = Matrix(rows: m, columns: d)
        // The evaluation and the floor alternate (one of each per round) so that both see the same
        // load on a shared machine; the ratio of their medians is the figure of merit.
        let clock = ContinuousClock()
        var evaluationTimes: [Double] = [], floorTimes: [Double] = [], otherTimes: [Double] = []
        // Process CPU time (all threads) per evaluation: on a loaded machine the wall time mostly
        // measures the competition, the CPU time what the scheme itself burns (spinning included).
        var evaluationCPU = 0.0, otherCPU = 0.0
        for _ in 0..<max(1, options.repeats) {
            var c0 = processCPUSeconds()
            evaluationTimes.append(clock.measure { _ = loss.lossAndGradient(v, gradient: &gradient) }.seconds)
            evaluationCPU += processCPUSeconds() - c0
            c0 = processCPUSeconds()
            otherTimes.append(clock.measure { _ = other.lossAndGradient(v, gradient: &gradient) }.seconds)
            otherCPU += processCPUSeconds() - c0
            floorTimes.append(clock.measure {
                BLAS.syrk(.transpose, v, into: &gram)
                BLAS.gemm(.none, v, .none, gram, into: &product)
            }.seconds)
        }
        let evaluation = (median: median(evaluationTimes), all: evaluationTimes)
        let floor = (median: median(floorTimes), all: floorTimes)
        let lossOnly = medianSeconds(options.repeats) { _ = loss.loss(v) }
        print(String(format: "loss+gradient (M = %d, D = %d, %@ scheme): median %.2f ms", m, d, options.scheme.rawValue,
                     evaluation.median * 1e3))
        print(String(format: "loss+gradient, %@ scheme (same rounds): median %.2f ms (ratio %@/%@ %.3f)",
                     other.evaluationScheme.rawValue, median(otherTimes) * 1e3, options.scheme.rawValue,
                     other.evaluationScheme.rawValue, evaluation.median / median(otherTimes)))
        let rounds = Double(max(1, options.repeats))
        print(String(format: "CPU time per loss+gradient (all threads, mean): %@ %.2f ms, %@ %.2f ms",
                     options.scheme.rawValue, evaluationCPU / rounds * 1e3, other.evaluationScheme.rawValue, otherCPU / rounds * 1e3))
        print(String(format: "loss only: median %.2f ms", lossOnly.median * 1e3))
        print(String(format: "floor syrk(VᵀV) + gemm(V·VᵀV): median %.2f ms", floor.median * 1e3))
        print(String(format: "ratio loss+gradient / floor: %.3f (fastest runs: %.2f / %.2f ms = %.3f)",
                     evaluation.median / floor.median, evaluation.all.min()! * 1e3, floor.all.min()! * 1e3,
                     evaluation.all.min()! / floor.all.min()!))
        let bandwidth = KernelBenchmark.copyBandwidth(repeats: options.repeats)
        print(String(format: "copy bandwidth (STREAM-like, 256 MB arrays, 16 bytes per element): %.1f GB/s one thread, %.1f GB/s all cores",
                     bandwidth.oneThread / 1e9, bandwidth.allThreads / 1e9))
        if let passes = KernelBenchmark.sparsePasses(problem: problem, v: v, repeats: options.repeats) {
            for (name, seconds, bytes) in [("S·V + row norms", passes.scatterSeconds, passes.scatterBytes),
                                           ("Sᵀ(SV) + gradient assembly", passes.gatherSeconds, passes.gatherBytes)] {
                print(String(format: "sparse pass %@ (blocks, all cores): median %.2f ms, ≥ %.1f MB moved: %.1f GB/s = %.0f %% of the copy bandwidth",
                             name, seconds * 1e3, bytes / 1e6, bytes / seconds / 1e9, 100 * bytes / seconds / bandwidth.allThreads))
            }
        }
    }
}

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
