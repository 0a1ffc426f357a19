import Testing
import Foundation
import LinearAlgebra
import DataIO
@testable import Solvers

/// One compensated loss against one plain implicit loss, off by default (docs/maths.md,
/// "Accuracy of the loss"). Run in release:
///     COEMBED_BENCH=1 COEMBED_COMPENSATED_RATINGS=/tmp/gen.csv swift test -c release -Xswiftc -enable-testing \
///         --scratch-path .build-bench --filter CompensatedLossTiming
/// with /tmp/gen.csv from `coembed generate --users 50000 --items 100000 --likes 4670000 --seed 9`;
/// ml-latest-small (D = 300) always, the generated file (D = 64) when given. Prints medians.
@Suite struct CompensatedLossTiming {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["COEMBED_BENCH"] != nil))
    func compensatedAgainstPlain() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var cases = [("ml-latest-small", root.appendingPathComponent("data/ml-latest-small/ratings.csv"), 300)]
        if let path = ProcessInfo.processInfo.environment["COEMBED_COMPENSATED_RATINGS"] {
            cases.append(("generated", URL(fileURLWithPath: path), 64))
        }
        let clock = ContinuousClock()
        func median(_ times: [Duration]) -> Double { times.sorted()[times.count / 2].seconds }
        for (name, url, d) in cases {
            let s = try MovieLens.load(ratings: url).matrix
            let problem = try Problem(interactions: s)
            let m = s.columns
            var rng = SeededGenerator(seed: 1)
            let v = Matrix(rows: m, columns: d) { _, _ in 0.1 * rng.nextGaussian() }
            let plain = try MaskedLoss(problem: problem, dimension: d)
            plain.allowsDirectRefinement = false
            var plainValue = plain.loss(v)
            let plainTimes = (0..<7).map { _ in clock.measure { plainValue = plain.loss(v) } }
            let evaluator = CompensatedLoss(problem: problem)
            var result = (loss: 0.0, bound: 0.0)
            let first = clock.measure { result = evaluator.evaluate(v) } // with ‖X‖²_F and X_ii as exact triples
            let times = (0..<3).map { _ in clock.measure { result = evaluator.evaluate(v) } }
            print(String(format: "%@ M=%d nnz=%d D=%d cores=%d: plain loss %.4f s (bound %.3g), compensated %.4f s (first, with set-up %.4f s), ratio %.1f; loss %.17g bound %.3g, plain − compensated %.3g",
                         name, m, s.nonzeroCount, d, ProcessInfoCores.count, median(plainTimes), plain.lastErrorBound, median(times),
                         first.seconds, median(times) / median(plainTimes), result.loss, result.bound, plainValue - result.loss))
            print(String(format: "%@ work=%.3g (compensatedRunBudget %.3g)", name, CompensatedLoss.work(problem, dimension: d), LossAccuracy.compensatedRunBudget))
        }
    }
}
