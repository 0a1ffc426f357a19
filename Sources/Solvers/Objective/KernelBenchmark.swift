import Dispatch
import LinearAlgebra

/// Timings for `coembed-bench objective`: the machine's copy bandwidth (a STREAM-like copy) and
/// the two sparse passes of the blocked loss + gradient, with the bytes they must move at least,
/// so that docs/performance.md can say which fraction of the bandwidth the passes reach.
public enum KernelBenchmark {
    public struct Bandwidth: Sendable {
        /// Bytes per second of `b[i] = a[i]` counted as STREAM does (8 read + 8 written per element).
        public let oneThread: Double
        public let allThreads: Double
    }

    /// Median over `repeats` of copying `megabytes` (each array) with one thread and with all cores.
    public static func copyBandwidth(megabytes: Int = 256, repeats: Int = 7) -> Bandwidth {
        let n = megabytes * 1_048_576 / 8
        let a = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        defer { a.deallocate(); b.deallocate() }
        a.initialize(repeating: 1)
        b.initialize(repeating: 0) // touch every page before timing
        let ap = SharedPointer(a.baseAddress!), bp = SharedPointer(b.baseAddress!)
        func copy(threads: Int) -> Double {
            median(repeats) {
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    let lo = t * n / threads, hi = (t + 1) * n / threads
                    (bp.value + lo).update(from: ap.value + lo, count: hi - lo)
                }
            }
        }
        let bytes = Double(16 * n)
        return Bandwidth(oneThread: bytes / copy(threads: 1), allThreads: bytes / copy(threads: ProcessInfoCores.count))
    }

    public struct SparsePasses: Sendable {
        public let scatterSeconds: Double
        public let gatherSeconds: Double
        /// Bytes each pass must move from memory at least: V read (M·D), SV written or read (N·D),
        /// the gradient written (M·D) by the second; the index arrays (nnz·12 bytes per pass of eight
        /// columns) are counted once, as they stay in cache between passes when they fit.
        public let scatterBytes: Double
        public let gatherBytes: Double
    }

    /// The blocked scheme's two sparse passes alone (one item block per core, balanced by
    /// nonzeros), medians over `repeats`.
    public static func sparsePasses(problem: Problem, v: Matrix, repeats: Int = 9) -> SparsePasses? {
        guard case let .interactions(s) = problem.source else { return nil }
        return sparsePasses(interactions: s, transposed: s.transposed, diagonal: problem.diagonal, v: v, repeats: repeats)
    }

    /// The same passes without a `Problem` (whose exact ‖X‖²_F they do not need): S, its CSR
    /// transpose and X's diagonal given.
    public static func sparsePasses(interactions s: SparseMatrix, transposed: SparseMatrix, diagonal: [Double], v: Matrix,
                                    repeats: Int = 9) -> SparsePasses {
        let st = ItemCSR(transposed, renumberUsersByActivity: true)
        let m = v.rows, dim = v.columns, n = s.rows
        let blocks = ItemBlocks.balanced(rowPointers: st.rowPointers, count: ProcessInfoCores.count,
                                         rowWeight: ItemBlocks.rowWeight(dimension: dim))
        let sv = (0..<blocks.count).map { _ in UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, n * dim)) }
        defer { for b in sv { b.deallocate() } }
        for b in sv { b.initialize(repeating: 0) }
        var norms = [Double](repeating: 0, count: m)
        var gradient = Matrix(rows: m, columns: dim)
        let scatter: Double = v.storage.withUnsafeBufferPointer { vb in
            norms.withUnsafeMutableBufferPointer { nb in
                let vp = SharedPointer(vb.baseAddress!), np = SharedPointer(nb.baseAddress!)
                let buffers = sv.map { SharedPointer($0.baseAddress!) }
                return median(repeats) {
                    DispatchQueue.concurrentPerform(iterations: blocks.count) { b in
                        buffers[b].value.update(repeating: 0, count: n * dim)
                        BlockKernels.scatterProduct(st: st, items: blocks.range(b), v: vp.value, ld: m, dimension: dim,
                                                    sv: buffers[b].value, rowNorms: np.value)
                    }
                }
            }
        }
        let gather: Double = v.storage.withUnsafeBufferPointer { vb in
            gradient.storage.withUnsafeMutableBufferPointer { gb in
                norms.withUnsafeBufferPointer { nb in
                    diagonal.withUnsafeBufferPointer { db in
                        let vp = SharedPointer(vb.baseAddress!), gp = SharedPointer(gb.baseAddress!)
                        let np = SharedPointer(nb.baseAddress!), dp = SharedPointer(db.baseAddress!)
                        let svp = SharedPointer(UnsafePointer(sv[0].baseAddress!))
                        return median(repeats) {
                            DispatchQueue.concurrentPerform(iterations: blocks.count) { b in
                                BlockKernels.gatherAssemble(st: st, items: blocks.range(b), sv: svp.value, v: vp.value, ld: m,
                                                            dimension: dim, rowNorms: np.value, diagonal: dp.value,
                                                            gradient: gp.value)
                            }
                        }
                    }
                }
            }
        }
        let indexBytes = Double(st.nonzeroCount * 12 + (m + 1) * 8)
        _ = dim
        let md = Double(m * dim * 8), nd = Double(n * dim * 8) * Double(blocks.count)
        return SparsePasses(scatterSeconds: scatter, gatherSeconds: gather,
                            scatterBytes: md + nd + indexBytes, gatherBytes: 2 * md + Double(n * dim * 8) + indexBytes)
    }

    private static func median(_ repeats: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let d = clock.measure(body)
            times.append(d.seconds)
        }
        times.sort()
        return times[times.count / 2]
    }
}
