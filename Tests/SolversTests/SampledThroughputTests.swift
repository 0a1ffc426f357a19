import Testing
import Foundation
import Solvers

/// Speed measurement, off by default. Run in release:
///     COEMBED_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter SampledThroughputTests
@Suite struct SampledThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["COEMBED_BENCH"] != nil))
    func throughputOnMovieLensSmallShape() throws {
        let s = try SampledThroughput.syntheticInteractions()
        let pairs = s.rowCounts.reduce(0) { $0 + $1 * ($1 - 1) }
        print("synthetic S: \(s.rows) users × \(s.columns) items, \(s.nonzeroCount) likes, \(pairs) ordered positive pairs")
        for threads in [1, 2] {
            for m in try SampledThroughput.measure(s, threads: threads) {
                print(String(format: "threads=%d %-36@ pairs/epoch %9.0f  positive pairs/s %10.0f  scored pairs/s %11.0f",
                             threads, m.method as NSString, m.pairsPerEpoch, m.pairsPerSecond, m.scoredPairsPerSecond))
            }
        }
    }
}
