import Dispatch
import LinearAlgebra

/// Level-1 passes over long vectors (the optimisers' M × D arrays) on all cores, in fixed pieces:
/// every reduction is a sum of per-piece partials taken in piece order, so results do not depend
/// on the number of threads. Used by L-BFGS, whose passes over its pairs and iterates cost as much
/// as a loss + gradient when run on one thread (docs/performance.md).
enum ParallelPasses {
    /// Elements per piece: 32 768 doubles (256 KB) keep a piece of two or three vectors in L2, so
    /// a piece written by one step (e.g. a gemv) is still cached when the next step reads it.
    static let pieceLength = 1 << 15
    /// Below this many elements everything runs on the calling thread (same pieces, same sums).
    static let parallelThreshold = 1 << 17

    static func pieceCount(_ n: Int) -> Int { (n + pieceLength - 1) / pieceLength }

    /// body(range, piece) for every piece, contiguous runs of pieces per core. OpenBLAS is limited
    /// to one thread meanwhile, so a BLAS call inside a piece stays on the calling thread.
    static func forEachPiece(_ n: Int, _ body: (Range<Int>, Int) -> Void) {
        let pieces = pieceCount(n)
        let threads = n < parallelThreshold ? 1 : min(pieces, ProcessInfoCores.count)
        func run(_ t: Int) {
            for piece in (t * pieces / threads)..<((t + 1) * pieces / threads) {
                body((piece * pieceLength)..<min(n, (piece + 1) * pieceLength), piece)
            }
        }
        if threads <= 1 { run(0); return }
        withoutActuallyEscaping(body) { body in
            let shared = SharedPointer(body)
            BLAS.withThreadCount(1) {
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    for piece in (t * pieces / threads)..<((t + 1) * pieces / threads) {
                        shared.value((piece * pieceLength)..<min(n, (piece + 1) * pieceLength), piece)
                    }
                }
            }
        }
        _ = run
    }

    /// Σ_pieces partial(range), in piece order.
    static func sum(_ n: Int, _ partial: (Range<Int>) -> Double) -> Double {
        let pieces = pieceCount(n)
        if pieces == 0 { return 0 }
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: pieces)
        defer { partials.deallocate() }
        let out = SharedPointer(partials.baseAddress!)
        forEachPiece(n) { r, piece in out.value[piece] = partial(r) }
        var total = 0.0
        for k in 0..<pieces { total += partials[k] }
        return total
    }

    /// Σ a[i]·b[i] over a range, four accumulators.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ r: Range<Int>) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = r.lowerBound
        while i + 4 <= r.upperBound {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
            i += 4
        }
        while i < r.upperBound { s0 += a[i] * b[i]; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    static func dot(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.count == b.count)
        return a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                let x = SharedPointer(pa.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                let y = SharedPointer(pb.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                return sum(pa.count) { r in dot(x.value, y.value, r) }
            }
        }
    }

    static func norm(_ a: Matrix) -> Double { dot(a, a).squareRoot() }

    /// (aᵀb, aᵀa) in one pass over a and b (L-BFGS: the line search's slope at a trial and the
    /// squared gradient norm it reports if the trial is accepted). Each sum is the one `dot` takes.
    static func dotAndNormSquared(_ a: Matrix, _ b: Matrix) -> (dot: Double, normSquared: Double) {
        precondition(a.count == b.count)
        let pieces = pieceCount(a.count)
        if pieces == 0 { return (0, 0) }
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * pieces)
        defer { partials.deallocate() }
        let out = SharedPointer(partials.baseAddress!)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                let x = SharedPointer(pa.baseAddress!), y = SharedPointer(pb.baseAddress!)
                forEachPiece(pa.count) { r, piece in
                    out.value[2 * piece] = dot(x.value, y.value, r)
                    out.value[2 * piece + 1] = dot(x.value, x.value, r)
                }
            }
        }
        var ab = 0.0, aa = 0.0
        for k in 0..<pieces { ab += partials[2 * k]; aa += partials[2 * k + 1] }
        return (ab, aa)
    }

    /// out ← a + α·b.
    static func combine(_ a: Matrix, _ alpha: Double, _ b: Matrix, into out: inout Matrix) {
        precondition(a.count == b.count && out.count == a.count)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                out.storage.withUnsafeMutableBufferPointer { po in
                    guard let x = pa.baseAddress, let y = pb.baseAddress, let z = po.baseAddress else { return }
                    let xs = SharedPointer(x), ys = SharedPointer(y), zs = SharedPointer(z)
                    forEachPiece(pa.count) { r, _ in
                        let x = xs.value, y = ys.value, z = zs.value
                        for k in r { z[k] = x[k] + alpha * y[k] }
                    }
                }
            }
        }
    }
}

extension BLAS {
    /// Runs `body` with OpenBLAS limited to `count` threads, then restores the previous count.
    /// For BLAS calls made from several of our own threads at once: each then runs on its caller
    /// instead of queueing for OpenBLAS's pool.
    static func withThreadCount<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        let saved = threadCount
        if saved == count { return try body() }
        setThreadCount(count)
        defer { setThreadCount(saved) }
        return try body()
    }
}
