import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers

/// The sparse kernels alone, without the `Problem` set-up (whose exact ‖X‖²_F takes minutes at
/// 10⁶ items): the eigen operator's block product SᵀS·X and the loss's two sparse passes, with
/// wall and CPU time per round, so that two builds can be alternated on the same data.
struct KernelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "The sparse kernels alone (eigen block product SᵀS·X, the loss's S·V and Sᵀ(SV) passes) on a ratings file.")

    @Option(help: "Ratings CSV (e.g. written by `coembed generate`).")
    var ratings: String

    @Option(help: "Embedding dimension of the loss passes.") var dim: Int = 128
    @Option(help: "Columns of the eigen operator's panel (the block method uses D + max(8, D/4)).") var panel: Int = 32
    @Option(help: "Rounds (medians reported).") var rounds: Int = 3

    func run() throws {
        print("machine: \(machineDescription())")
        let s = try MovieLens.load(ratings: URL(fileURLWithPath: ratings)).matrix
        let op = GramOperator(s)
        let m = s.columns
        print("data: \(s.rows) users × \(m) items, \(s.nonzeroCount) likes; D = \(dim), panel \(panel)")
        var rng = SplitMix64(seed: 9)
        let x = Matrix(rows: m, columns: panel) { _, _ in rng.nextSigned() }
        let v = Matrix(rows: m, columns: dim) { _, _ in 0.01 * rng.nextSigned() }
        var y = Matrix(rows: m, columns: panel)
        var wall: [Double] = [], cpu: [Double] = [], scatter: [Double] = [], gather: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<max(1, rounds) {
            let cpu0 = processCPUSeconds()
            wall.append(clock.measure { op.apply(x, into: &y) }.seconds)
            cpu.append(processCPUSeconds() - cpu0)
            let passes = KernelBenchmark.sparsePasses(interactions: s, transposed: op.transposedInteractions,
                                                      diagonal: op.diagonal, v: v, repeats: 1)
            scatter.append(passes.scatterSeconds)
            gather.append(passes.gatherSeconds)
        }
        print(String(format: "SᵀS·X (%d columns): median %.0f ms wall, %.0f ms CPU (%.1f ms CPU per column); S·V pass %.0f ms; Sᵀ(SV) pass %.0f ms",
                     panel, median(wall) * 1e3, median(cpu) * 1e3, median(cpu) * 1e3 / Double(panel),
                     median(scatter) * 1e3, median(gather) * 1e3))
        print("  all rounds: operator wall \(wall.map { Int($0 * 1e3) }) ms, CPU \(cpu.map { Int($0 * 1e3) }) ms")
    }
}
