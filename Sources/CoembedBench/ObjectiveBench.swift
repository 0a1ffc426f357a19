import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Reporting
import Workflows

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
