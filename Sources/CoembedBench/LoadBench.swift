import ArgumentParser
import Foundation
import DataIO
import Solvers

/// Ratings-file load and problem set-up at scale (issue 9: ≤ 20 s for 50 M lines on 2 cores).
struct LoadBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Time loading a ratings file (parallel chunked parse) and the ‖X‖²_F set-up on each Gram side.")

    @Option(help: "Ratings file in MovieLens layout (make a big one with scripts/generate_ratings.py).")
    var ratings: String = "data/ml-latest-small/ratings.csv"

    @Option(help: "Repetitions of the load (the median is reported).")
    var repeats: Int = 3

    @Flag(help: "Also time the set-up on the costlier side (can be slow on power-law data).")
    var bothSides = false

    func run() throws {
        let url = URL(fileURLWithPath: ratings)
        print("machine: \(machineDescription()), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        var interactions: Interactions!
        // Process CPU seconds beside wall seconds: on a loaded machine the wall time mostly
        // measures the share of the cores this process got.
        let cpuBefore = Self.processCPUSeconds()
        let load = try medianSeconds(repeats) { interactions = try MovieLens.load(ratings: url) }
        let cpu = (Self.processCPUSeconds() - cpuBefore) / Double(max(1, repeats))
        print(String(format: "load %@: median %.2f s wall over %d runs [%@], %.2f s CPU per run (%d rows, %d users, %d items, %d likes)",
                     url.lastPathComponent, load.median, repeats, load.all.map { String(format: "%.2f", $0) }.joined(separator: ", "),
                     cpu, interactions.ratingCount, interactions.userCount, interactions.itemCount, interactions.likeCount))
        let s = interactions.matrix
        let cost = GramNorm.cost(s)
        let cheaper = GramNorm.cheaperSide(s)
        print(String(format: "set-up cost: users side Σ_items likes² = %.3g, items side Σ_users likes² = %.3g (cheaper: %@)",
                     cost.users, cost.items, cheaper.rawValue))
        for side in bothSides ? GramNorm.Side.allCases : [cheaper] {
            var value = 0.0
            let before = Self.processCPUSeconds()
            let t = medianSeconds(1) { value = GramNorm.frobeniusNormSquared(s, side: side) }
            print(String(format: "‖X‖²_F on the %@ side: %.2f s wall, %.2f s CPU (%.17g)", side.rawValue, t.median,
                         Self.processCPUSeconds() - before, value))
        }
        let setup = try medianSeconds(1) { _ = try Problem(interactions: s) }
        print(String(format: "problem set-up (cheaper side, diagonal, transposes): %.2f s", setup.median))
    }

    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
