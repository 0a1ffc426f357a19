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
    "\(Machine.description); BLAS: \(BLASCore.current.configuration)"
}
