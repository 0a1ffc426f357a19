import Dispatch

/// SᵀS·X for an n × b panel X, eight columns at a time through row-interleaved copies.
///
/// Column by column, S·x gathers one double per like from an item column of X (8 MB at 10⁶ items)
/// and Sᵀ·(Sx) one from a user column: a cache miss per like and per column. Interleaving eight
/// columns (entry (i, j) of the group at 8·i + j) puts the eight values one like needs on one
/// 64-byte line, so a group of eight columns costs one miss per like instead of eight. Every
/// output entry is the same sum in the same order as `S.multiply` followed by `Sᵀ.multiply`
/// (bitwise equal).
///
/// The threads share one group at a time, each taking a range of users (for S·X) and then of
/// items (for Sᵀ·(SX)) balanced by nonzeros: the gathered buffers are one copy (64 MB + 32 MB at
/// 10⁶ items and 500,000 users) instead of one per thread, so the caches hold twice the share of
/// them that one thread per group left; no output row is split, so the sums are unchanged.
enum GramPanelProduct {
    static func apply(s: SparseMatrix, st: SparseMatrix, _ x: Matrix, into y: inout Matrix) {
        let m = s.columns, n = s.rows, width = x.columns
        precondition(x.rows == m && y.rows == m && y.columns == width)
        if width == 0 || m == 0 { return }
        let groups = (width + 7) / 8
        let threads = 2 * s.nonzeroCount * width < SparseMatrix.parallelThreshold ? 1 : ProcessInfoCores.count
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 8 * (m + n))
        defer { scratch.deallocate() }
        let userBounds = balancedBounds(s.rowPointers, parts: threads)
        let itemBounds = balancedBounds(st.rowPointers, parts: threads)
        s.rowPointers.withUnsafeBufferPointer { srp in
        s.columnIndices.withUnsafeBufferPointer { sci in
        s.values.withUnsafeBufferPointer { svs in
        st.rowPointers.withUnsafeBufferPointer { trp in
        st.columnIndices.withUnsafeBufferPointer { tci in
        st.values.withUnsafeBufferPointer { tvs in
        x.storage.withUnsafeBufferPointer { xb in
        y.storage.withUnsafeMutableBufferPointer { yb in
            let p = SharedPointer((srp.baseAddress!, sci.baseAddress!, svs.baseAddress!, trp.baseAddress!, tci.baseAddress!,
                                    tvs.baseAddress!, xb.baseAddress!, yb.baseAddress!, scratch))
            func run(_ body: @Sendable (Int) -> Void) {
                if threads == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: body) }
            }
            for g in 0..<groups {
                let d0 = 8 * g, w = min(8, width - d0)
                // Interleave the group's columns of X (items split evenly), then T = S·X_g by user ranges.
                run { thread in
                    let (_, _, _, _, _, _, xp, _, xi) = p.value
                    let lo = thread * m / threads, hi = (thread + 1) * m / threads
                    for j in 0..<w { let col = xp + (d0 + j) * m; for i in lo..<hi { xi[w * i + j] = col[i] } }
                }
                run { thread in
                    let (srp, sci, svs, _, _, _, _, _, xi) = p.value
                    let ti = xi + 8 * m
                    let users = userBounds[thread]..<userBounds[thread + 1]
                    if w == 8 {
                        let xr = UnsafeRawPointer(xi), tr = UnsafeMutableRawPointer(ti)
                        for r in users {
                            var a = SIMD8<Double>()
                            for k in srp[r]..<srp[r + 1] {
                                a = a + svs[k] * xr.loadUnaligned(fromByteOffset: 64 * Int(sci[k]), as: SIMD8<Double>.self)
                            }
                            tr.storeBytes(of: a, toByteOffset: 64 * r, as: SIMD8<Double>.self)
                        }
                    } else {
                        for r in users {
                            for j in 0..<w {
                                var a = 0.0
                                for k in srp[r]..<srp[r + 1] { a += svs[k] * xi[w * Int(sci[k]) + j] }
                                ti[w * r + j] = a
                            }
                        }
                    }
                }
                // Y_g = Sᵀ·T by item ranges, written straight into Y's columns.
                run { thread in
                    let (_, _, _, trp, tci, tvs, _, yp, xi) = p.value
                    let ti = xi + 8 * m
                    let items = itemBounds[thread]..<itemBounds[thread + 1]
                    if w == 8 {
                        let ur = UnsafeRawPointer(ti)
                        let y0 = yp + d0 * m, y1 = y0 + m, y2 = y1 + m, y3 = y2 + m, y4 = y3 + m, y5 = y4 + m, y6 = y5 + m, y7 = y6 + m
                        for c in items {
                            var a = SIMD8<Double>()
                            for k in trp[c]..<trp[c + 1] {
                                a = a + tvs[k] * ur.loadUnaligned(fromByteOffset: 64 * Int(tci[k]), as: SIMD8<Double>.self)
                            }
                            y0[c] = a[0]; y1[c] = a[1]; y2[c] = a[2]; y3[c] = a[3]
                            y4[c] = a[4]; y5[c] = a[5]; y6[c] = a[6]; y7[c] = a[7]
                        }
                    } else {
                        for c in items {
                            for j in 0..<w {
                                var a = 0.0
                                for k in trp[c]..<trp[c + 1] { a += tvs[k] * ti[w * Int(tci[k]) + j] }
                                yp[(d0 + j) * m + c] = a
                            }
                        }
                    }
                }
            }
        }}}}}}}}
    }

    /// Row boundaries splitting a CSR matrix into `parts` ranges of about equal nonzeros.
    static func balancedBounds(_ rowPointers: [Int], parts: Int) -> [Int] {
        let rows = rowPointers.count - 1, total = rowPointers[rows]
        var bounds = [0]
        for t in 1..<max(1, parts) {
            let target = total / parts * t + (total % parts) * t / parts
            // First row whose start reaches the target (rowPointers is non-decreasing).
            var lo = bounds.last!, hi = rows
            while lo < hi {
                let mid = (lo + hi) / 2
                if rowPointers[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            bounds.append(lo)
        }
        bounds.append(rows)
        return bounds
    }
}
