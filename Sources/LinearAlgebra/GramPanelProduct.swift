import Dispatch

/// SᵀS·X for an n × b panel X, eight columns at a time through row-interleaved copies.
///
/// Column by column, S·x gathers one double per like from an item column of X (8 MB at 10⁶ items)
/// and Sᵀ·(Sx) one from a user column: a cache miss per like and per column. Interleaving eight
/// columns (entry (i, j) of the group at 8·i + j) puts the eight values one like needs on one
/// 64-byte line, so a group of eight columns costs one miss per like instead of eight. Every
/// output entry is the same sum in the same order as `S.multiply` followed by `Sᵀ.multiply`
/// (bitwise equal); groups run in parallel (each thread with its own interleaved scratch).
enum GramPanelProduct {
    static func apply(s: SparseMatrix, st: SparseMatrix, _ x: Matrix, into y: inout Matrix) {
        let m = s.columns, n = s.rows, width = x.columns
        precondition(x.rows == m && y.rows == m && y.columns == width)
        if width == 0 || m == 0 { return }
        let groups = (width + 7) / 8
        let threads = 2 * s.nonzeroCount * width < SparseMatrix.parallelThreshold ? 1 : min(groups, ProcessInfoCores.count)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: threads * 8 * (m + n))
        defer { scratch.deallocate() }
        s.rowPointers.withUnsafeBufferPointer { srp in
        s.columnIndices.withUnsafeBufferPointer { sci in
        s.values.withUnsafeBufferPointer { svs in
        st.rowPointers.withUnsafeBufferPointer { trp in
        st.columnIndices.withUnsafeBufferPointer { tci in
        st.values.withUnsafeBufferPointer { tvs in
        x.storage.withUnsafeBufferPointer { xb in
        y.storage.withUnsafeMutableBufferPointer { yb in
            let p = UnsafeSendable((srp.baseAddress!, sci.baseAddress!, svs.baseAddress!, trp.baseAddress!, tci.baseAddress!,
                                    tvs.baseAddress!, xb.baseAddress!, yb.baseAddress!, scratch))
            let body: @Sendable (Int) -> Void = { thread in
                let (srp, sci, svs, trp, tci, tvs, xp, yp, scratch) = p.value
                let xi = scratch + thread * 8 * (m + n), ti = xi + 8 * m
                var g = thread
                while g < groups {
                    let d0 = 8 * g, w = min(8, width - d0)
                    for j in 0..<w { let col = xp + (d0 + j) * m; for i in 0..<m { xi[w * i + j] = col[i] } }
                    if w == 8 {
                        let xr = UnsafeRawPointer(xi), tr = UnsafeMutableRawPointer(ti)
                        for r in 0..<n {
                            var a = SIMD8<Double>()
                            for k in srp[r]..<srp[r + 1] {
                                a = a + svs[k] * xr.loadUnaligned(fromByteOffset: 64 * Int(sci[k]), as: SIMD8<Double>.self)
                            }
                            tr.storeBytes(of: a, toByteOffset: 64 * r, as: SIMD8<Double>.self)
                        }
                        // The item-side result goes into xi (its input is no longer needed).
                        let ur = UnsafeRawPointer(ti), yr = UnsafeMutableRawPointer(xi)
                        for c in 0..<m {
                            var a = SIMD8<Double>()
                            for k in trp[c]..<trp[c + 1] {
                                a = a + tvs[k] * ur.loadUnaligned(fromByteOffset: 64 * Int(tci[k]), as: SIMD8<Double>.self)
                            }
                            yr.storeBytes(of: a, toByteOffset: 64 * c, as: SIMD8<Double>.self)
                        }
                    } else {
                        for r in 0..<n {
                            for j in 0..<w {
                                var a = 0.0
                                for k in srp[r]..<srp[r + 1] { a += svs[k] * xi[w * Int(sci[k]) + j] }
                                ti[w * r + j] = a
                            }
                        }
                        for c in 0..<m {
                            for j in 0..<w {
                                var a = 0.0
                                for k in trp[c]..<trp[c + 1] { a += tvs[k] * ti[w * Int(tci[k]) + j] }
                                xi[w * c + j] = a
                            }
                        }
                    }
                    for j in 0..<w { let col = yp + (d0 + j) * m; for i in 0..<m { col[i] = xi[w * i + j] } }
                    g += threads
                }
            }
            if threads == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: body) }
        }}}}}}}}
    }
}
