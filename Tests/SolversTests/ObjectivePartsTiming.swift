import Testing
import Foundation
import LinearAlgebra
import DataIO
@testable import Solvers

/// Piece-by-piece timings of one loss + gradient on ml-latest-small (D = 300), off by default.
/// Run in release (its own build folder so it does not rebuild the normal release build):
///     COEMBED_BENCH=1 swift test -c release -Xswiftc -enable-testing --scratch-path .build-bench \
///         --filter ObjectivePartsTiming
/// Prints median and fastest of each piece; the figure of merit is `coembed-bench objective`.
@Suite struct ObjectivePartsTiming {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["COEMBED_BENCH"] != nil))
    func partsOnMovieLensSmall() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let s = try MovieLens.load(ratings: root.appendingPathComponent("data/ml-latest-small/ratings.csv")).matrix
        let st = s.transposed
        let m = s.columns, n = s.rows, d = 300
        var rng = SeededGenerator(seed: 1)
        let v = Matrix(rows: m, columns: d) { _, _ in rng.nextGaussian() }
        var sv = Matrix(rows: n, columns: d), gradient = Matrix(rows: m, columns: d), gram = Matrix(rows: d, columns: d)
        var norms = [Double](repeating: 0, count: m), scratch = [Double](repeating: 0, count: m)
        let loss = try MaskedLoss(problem: try Problem(interactions: s), dimension: d)
        let repeats = Int(ProcessInfo.processInfo.environment["COEMBED_REPEATS"] ?? "") ?? 21
        let clock = ContinuousClock()
        var pieces: [(String, () -> Void)] = [
            ("S·V (CSR of S)", { s.multiply(v, into: &sv) }),
            ("S·V + row norms (items streamed)", {
                _ = norms.withUnsafeMutableBufferPointer { np in scratch.withUnsafeMutableBufferPointer { sp in
                    ImplicitKernels.productAndRowNorms(st: st, v: v, sv: &sv, norms: np.baseAddress!, scratch: sp.baseAddress!)
                }}
            }),
            ("row norms", { norms.withUnsafeMutableBufferPointer { ImplicitKernels.rowNorms(v, into: $0.baseAddress!) } }),
            ("Sᵀ(SV) + assembly", {
                sv.storage.withUnsafeBufferPointer { svp in scratch.withUnsafeBufferPointer { ex in
                    ImplicitKernels.assembleColumns(st: st, sv: svp.baseAddress!, v: v, excess: ex.baseAddress!, gradient: &gradient)
                }}
            }),
            ("‖SV‖²_F", { _ = sv.frobeniusNormSquared }),
            ("‖G‖²_F (full sum)", { _ = gram.frobeniusNormSquared }),
            ("‖G‖²_F (triangle)", { _ = MaskedLoss.symmetricNormSquared(gram) }),
            ("syrk", { BLAS.syrk(.transpose, v, into: &gram) }),
            ("gemm", { BLAS.gemm(.none, v, .none, gram, alpha: 4, beta: 1, into: &gradient) }),
            ("loss + gradient", { _ = loss.lossAndGradient(v, gradient: &gradient) }),
        ]
        var times = [[Double]](repeating: [], count: pieces.count)
        for _ in 0..<repeats { // round-robin so every piece sees the same load
            for k in pieces.indices {
                let t = clock.measure { pieces[k].1() }
                times[k].append(t.seconds * 1e3)
            }
        }
        for (k, piece) in pieces.enumerated() {
            let sorted = times[k].sorted()
            print(String(format: "%-36@ median %7.2f ms  fastest %7.2f ms", piece.0 as NSString, sorted[sorted.count / 2], sorted[0]))
        }
        pieces.removeAll()
    }
}
