import Dispatch
import Foundation
import LinearAlgebra

/// ‖X‖²_F for X = SᵀS without forming X, through whichever Gram matrix is cheaper to walk.
///
/// ‖SᵀS‖²_F = ‖SSᵀ‖²_F (both equal Σ σ⁴). Walking the rows of SSᵀ (one user at a time, a
/// scratch vector over users) costs Σ_items likes(item)²; walking the rows of SᵀS (one item at a
/// time, a scratch vector over items) costs Σ_users likes(user)². On power-law data the two
/// differ by several times, so the set-up picks the smaller. Only the upper triangle of the
/// Gram matrix is accumulated (its off-diagonal squares count twice), halving the work again.
public enum GramNorm {
    /// Which Gram matrix to walk.
    public enum Side: String, Sendable, CaseIterable {
        /// Rows of SSᵀ (users × users); cost Σ_items likes².
        case users
        /// Rows of SᵀS (items × items); cost Σ_users likes².
        case items
    }

    /// Progress of a long set-up: fraction of the multiply-adds done and seconds since the start.
    public struct Progress: Sendable {
        public let fractionDone: Double
        public let seconds: Double
        public let side: Side
    }

    /// The multiply-adds each side costs (before the triangle halving, which applies to both).
    public static func cost(_ s: SparseMatrix) -> (users: Double, items: Double) {
        var perItem = [Int](repeating: 0, count: s.columns)
        for k in 0..<s.nonzeroCount { perItem[Int(s.columnIndices[k])] += 1 }
        var users = 0.0, items = 0.0
        for r in 0..<s.rows {
            let n = Double(s.rowPointers[r + 1] - s.rowPointers[r])
            items += n * n
        }
        for n in perItem { users += Double(n) * Double(n) }
        return (users, items)
    }

    /// The side `frobeniusNormSquared` walks when not told: the one with fewer multiply-adds.
    public static func cheaperSide(_ s: SparseMatrix) -> Side {
        let c = cost(s)
        return c.items < c.users ? .items : .users
    }

    /// The number of blocks the rows are cut into. Fixed (not the core count) so the summation
    /// order, and hence the last bit of a non-integer result, is the same on every machine.
    static let blockCount = 64

    /// ‖SᵀS‖²_F, exactly for integer S (every partial sum is an integer below 2^53) and with
    /// compensated (Neumaier) sums otherwise. `side` forces a side (tests); nil picks the cheaper.
    /// `progress` is called (serially, from worker threads) after each block of rows.
    public static func frobeniusNormSquared(_ s: SparseMatrix, side: Side? = nil,
                                            progress: (@Sendable (Progress) -> Void)? = nil) -> Double {
        let chosen = side ?? cheaperSide(s)
        let st = s.transposed
        // Walk the rows of A Aᵀ: A = S for SSᵀ, A = Sᵀ for SᵀS.
        let (a, at) = chosen == .users ? (s, st) : (st, s)
        return rowGramNormSquared(a, at, side: chosen, progress: progress)
    }

    /// ‖A Aᵀ‖²_F from the CSR of A and of Aᵀ, rows of A cut into blocks of equal work and the
    /// blocks run in parallel. Row r of A Aᵀ restricted to columns w ≥ r is Σ_{j ∈ A_r} A_rj ·
    /// (Aᵀ)_j,w≥r; the sorted columns of Aᵀ let each inner loop start at w = r.
    static func rowGramNormSquared(_ a: SparseMatrix, _ at: SparseMatrix, side: Side,
                                   progress: (@Sendable (Progress) -> Void)?) -> Double {
        let n = a.rows
        guard n > 0, a.nonzeroCount > 0 else { return 0 }
        // Work of row r: Σ_{j ∈ A_r} nnz(Aᵀ_j).
        var prefix = [Double](repeating: 0, count: n + 1)
        for r in 0..<n {
            var w = 0
            for k in a.rowPointers[r]..<a.rowPointers[r + 1] {
                let j = Int(a.columnIndices[k])
                w += at.rowPointers[j + 1] - at.rowPointers[j]
            }
            prefix[r + 1] = prefix[r] + Double(w)
        }
        let total = prefix[n]
        let blocks = min(blockCount, n)
        var bounds = [Int](repeating: n, count: blocks + 1)
        bounds[0] = 0
        var r = 0
        for b in 1..<blocks {
            let target = total * Double(b) / Double(blocks)
            while r < n, prefix[r] < target { r += 1 }
            bounds[b] = max(bounds[b - 1], r)
        }
        let ranges = (0..<blocks).map { bounds[$0]..<bounds[$0 + 1] }

        let start = DispatchTime.now().uptimeNanoseconds
        let sums = UnsafeMutableBufferPointer<CompensatedSum>.allocate(capacity: blocks)
        sums.initialize(repeating: CompensatedSum())
        defer { sums.deallocate() }
        let state = ProgressState()
        let shared = GramNormShared(a: a, at: at, ranges: ranges, prefix: prefix, sums: sums)
        // 0/1 data (the usual S) counts in 32-bit integers: half the scratch memory, which is
        // what the random accesses miss in, and exact.
        let binary = a.values.allSatisfy { $0 == 1 } && a.columns < 1 << 31  // then 2·count² < 2^63
        let workers = min(blocks, ProcessInfoCores.count)
        let next = BlockCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var scratch = [Double](repeating: 0, count: binary ? 0 : shared.at.columns)
            var counts = [UInt32](repeating: 0, count: binary ? shared.at.columns : 0)
            var touched: [Int32] = []
            while let b = next.take(below: shared.ranges.count) {
                shared.sums[b] = binary
                    ? shared.binaryBlock(shared.ranges[b], counts: &counts, touched: &touched)
                    : shared.block(shared.ranges[b], scratch: &scratch, touched: &touched)
                if let progress {
                    // Adding the block's work and reporting under one lock: the fractions reach the
                    // callback in increasing order, whichever worker finishes first.
                    state.add(shared.prefix[shared.ranges[b].upperBound] - shared.prefix[shared.ranges[b].lowerBound]) { done in
                        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                        progress(Progress(fractionDone: total > 0 ? min(1, done / total) : 1, seconds: seconds, side: side))
                    }
                }
            }
        }
        var result = CompensatedSum()
        for b in 0..<blocks { result.add(sums[b].value) }
        return result.value
    }
}

/// The read-only inputs every worker shares, plus the per-block output slots (each written by
/// exactly one worker).
private struct GramNormShared: @unchecked Sendable {
    let a: SparseMatrix
    let at: SparseMatrix
    let ranges: [Range<Int>]
    let prefix: [Double]
    let sums: UnsafeMutableBufferPointer<CompensatedSum>

    func block(_ rows: Range<Int>, scratch: inout [Double], touched: inout [Int32]) -> CompensatedSum {
        var total = CompensatedSum()
        a.rowPointers.withUnsafeBufferPointer { arp in
        a.columnIndices.withUnsafeBufferPointer { aci in
        a.values.withUnsafeBufferPointer { av in
        at.rowPointers.withUnsafeBufferPointer { trp in
        at.columnIndices.withUnsafeBufferPointer { tci in
        at.values.withUnsafeBufferPointer { tv in
        scratch.withUnsafeMutableBufferPointer { acc in
            for r in rows {
                let r32 = Int32(r)
                for k in arp[r]..<arp[r + 1] {
                    let j = Int(aci[k]), x = av[k]
                    // First entry of Aᵀ_j with column ≥ r (columns are sorted).
                    var lo = trp[j], hi = trp[j + 1]
                    while lo < hi {
                        let mid = (lo + hi) >> 1
                        if tci[mid] < r32 { lo = mid + 1 } else { hi = mid }
                    }
                    for q in lo..<trp[j + 1] {
                        let w = Int(tci[q])
                        if acc[w] == 0 { touched.append(tci[q]) }
                        acc[w] += x * tv[q]
                    }
                }
                // A slot that returns to 0 may be listed twice; the second visit adds 0.
                for w in touched {
                    let v = acc[Int(w)]
                    total.add(Int(w) == r ? v * v : 2 * v * v)
                    acc[Int(w)] = 0
                }
                touched.removeAll(keepingCapacity: true)
            }
        }}}}}}}
        return total
    }
}

extension GramNormShared {
    /// `block` for A with every stored value 1: (A Aᵀ)_rw is a count of shared columns.
    func binaryBlock(_ rows: Range<Int>, counts: inout [UInt32], touched: inout [Int32]) -> CompensatedSum {
        var total = CompensatedSum()
        a.rowPointers.withUnsafeBufferPointer { arp in
        a.columnIndices.withUnsafeBufferPointer { aci in
        at.rowPointers.withUnsafeBufferPointer { trp in
        at.columnIndices.withUnsafeBufferPointer { tci in
        counts.withUnsafeMutableBufferPointer { acc in
            for r in rows {
                let r32 = Int32(r)
                for k in arp[r]..<arp[r + 1] {
                    let j = Int(aci[k])
                    var lo = trp[j], hi = trp[j + 1]
                    while lo < hi {
                        let mid = (lo + hi) >> 1
                        if tci[mid] < r32 { lo = mid + 1 } else { hi = mid }
                    }
                    for q in lo..<trp[j + 1] {
                        let w = Int(tci[q])
                        if acc[w] == 0 { touched.append(tci[q]) }
                        acc[w] &+= 1
                    }
                }
                // A row's squares sum exactly in 64-bit integers (flushed before overflow) and
                // enter the compensated total as two exactly representable halves.
                var rowSum: UInt64 = 0
                func flush() {
                    total.add(Double(rowSum >> 32) * 4_294_967_296)
                    total.add(Double(rowSum & 0xFFFF_FFFF))
                    rowSum = 0
                }
                for w in touched {
                    let v = UInt64(acc[Int(w)])
                    let square = Int(w) == r ? v * v : 2 * v * v
                    if rowSum > UInt64.max - square { flush() }
                    rowSum += square
                    acc[Int(w)] = 0
                }
                flush()
                touched.removeAll(keepingCapacity: true)
            }
        }}}}}
        return total
    }
}

/// Hands out block indices to workers in order.
private final class BlockCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func take(below count: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// Work done so far, and a lock so progress callbacks never run concurrently.
private final class ProgressState: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0.0
    func add(_ work: Double, report: (Double) -> Void) {
        lock.lock(); defer { lock.unlock() }
        done += work
        report(done)
    }
}
