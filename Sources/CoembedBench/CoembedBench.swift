import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers

/// Performance figures for docs/performance.md. Run by hand (`make bench`), never in tests.
@main
struct CoembedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coembed-bench",
        abstract: "Print performance figures on the bundled ml-latest-small.",
        subcommands: [ObjectiveBench.self, SolversBench.self],
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
    let sorted = times.sorted()
    let n = sorted.count
    let median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    return (median, times)
}

func machineDescription() -> String {
    var model = "unknown CPU"
    if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
       let value = line.split(separator: ":", maxSplits: 1).last {
        model = value.trimmingCharacters(in: .whitespaces)
    }
    return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model), OpenBLAS threads \(BLAS.threadCount)"
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
        let evaluation = medianSeconds(options.repeats) { _ = loss.lossAndGradient(v, gradient: &gradient) }
        var gram = Matrix(rows: d, columns: d)
        var product = Matrix(rows: m, columns: d)
        let floor = medianSeconds(options.repeats) {
            BLAS.syrk(.transpose, v, into: &gram)
            BLAS.gemm(.none, v, .none, gram, into: &product)
        }
        let lossOnly = medianSeconds(options.repeats) { _ = loss.loss(v) }
        print(String(format: "loss+gradient (M = %d, D = %d): median %.2f ms", m, d, evaluation.median * 1e3))
        print(String(format: "loss only: median %.2f ms", lossOnly.median * 1e3))
        print(String(format: "floor syrk(VᵀV) + gemm(V·VᵀV): median %.2f ms", floor.median * 1e3))
        print(String(format: "ratio loss+gradient / floor: %.3f", evaluation.median / floor.median))
    }
}
