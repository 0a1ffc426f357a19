import Dispatch
import LinearAlgebra

enum Parallel {
    /// Below this many elementary operations a second thread costs more than it saves.
    static let threshold = 200_000

    /// Splits `0..<n` into one contiguous chunk per core (one chunk for small `work`) and runs
    /// `body` on each. Chunk boundaries depend only on `n` and the core count, and every caller
    /// makes each output depend only on its own index, so results do not depend on scheduling.
    static func chunks(_ n: Int, work: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let count = work < threshold ? 1 : min(n, ProcessInfoCores.count)
        if count <= 1 { body(0..<n); return }
        DispatchQueue.concurrentPerform(iterations: count) { c in
            body((c * n / count)..<((c + 1) * n / count))
        }
    }

    /// Like `chunks`, but with boundaries chosen so each chunk carries about the same share of
    /// `weights` (prefix sums), for work that is very uneven across indices.
    static func balancedChunks(weights: [Int], _ body: @Sendable (Range<Int>) -> Void) {
        let n = weights.count
        let total = weights.reduce(0, +)
        let count = total < threshold ? 1 : min(n, ProcessInfoCores.count)
        if count <= 1 { body(0..<n); return }
        var bounds = [0]
        var acc = 0
        var next = 1
        for i in 0..<n {
            acc += weights[i]
            while next < count && acc * count >= total * next {
                bounds.append(i + 1)
                next += 1
            }
        }
        while bounds.count <= count { bounds.append(n) }
        bounds[count] = n
        let b = bounds
        DispatchQueue.concurrentPerform(iterations: count) { c in
            body(b[c]..<b[c + 1])
        }
    }
}
