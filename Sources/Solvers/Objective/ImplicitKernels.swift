import Dispatch
import LinearAlgebra

/// Kernels of `MaskedLoss` for X = SᵀS, written for cache reuse and two threads:
///
/// * SV together with the row norms ‖v_i‖² and ‖SV‖²_F, in one pass over V streamed by items
///   (the CSR of Sᵀ), eight columns at a time, the columns split in two halves (one per thread);
/// * Sᵀ·(SV) fused with the gradient's operator and diagonal terms, eight columns per pass over the
///   CSR of Sᵀ (the index arrays are read D/8 times instead of D times, and V, SV and the gradient
///   are streamed in column order), parallel over column groups;
/// * row norms alone, parallel over row ranges (the loss-only path of other callers).
///
/// SV and Sᵀ(SV) are the same sums in the same order as the plain loops (bitwise equal); the row
/// norms are the sum of two half-sums (fixed split, independent of the thread count).
enum ImplicitKernels {
    /// Below this many multiply-adds the work runs on one thread: waking a second costs more.
    static let parallelThreshold = 200_000

    /// Columns per pass over the sparse index arrays in the two sparse kernels: eight columns of
    /// SV (8·N doubles, 39 KB for ml-latest-small) stay in L1 while the index arrays are read D/8
    /// times. Eight were ~25 % faster than four on ml-latest-small (2 cores, Xeon).
    static let groupWidth = 8

    static func parallel(_ tasks: Int, work: Int, _ body: @Sendable (Int, Int) -> Void) {
        let chunks = work < parallelThreshold ? 1 : min(tasks, ProcessInfoCores.count)
        if chunks <= 1 { body(0, 1); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in body(c, chunks) }
    }

    /// Row norms ‖v_i‖², parallel over row blocks.
    static func rowNorms(_ v: Matrix, into out: UnsafeMutablePointer<Double>) {
        let m = v.rows, dim = v.columns
        v.storage.withUnsafeBufferPointer { vb in
            let vp = SharedPointer(vb.baseAddress!), op = SharedPointer(out)
            parallel(m, work: m * dim) { part, parts in
                let lo = part * m / parts, hi = (part + 1) * m / parts
                let o = op.value
                for i in lo..<hi { o[i] = 0 }
                for d in 0..<dim {
                    let col = vp.value + d * m
                    for i in lo..<hi { o[i] += col[i] * col[i] }
                }
            }
        }
    }

    /// SV (N × D) and the row norms ‖v_i‖² in one pass over V, streaming over items: the CSR of
    /// Sᵀ lists each item's users, so V's columns are read once, sequentially, eight at a time, while
    /// the eight matching columns of SV (8·N doubles) stay in L1 and receive the scatter-adds.
    ///
    /// SV's entries are bitwise those of `S.multiply(V)`: item indices increase along each row of S,
    /// so every entry is the same sum in the same order. The columns are split into two fixed halves
    /// (by column groups), one per thread; each half accumulates its own partial row norms
    /// (`norms` and `scratch`, M each), added at the end, so the result does not depend on the number
    /// of threads. Returns ‖SV‖²_F (compensated, each half's columns summed by the thread that wrote them).
    static func productAndRowNorms(st: SparseMatrix, v: Matrix, sv: inout Matrix,
                                   norms: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double {
        let m = v.rows, dim = v.columns, n = st.columns
        precondition(st.rows == m && sv.rows == n && sv.columns == dim)
        let G = groupWidth
        let groups = (dim + G - 1) / G
        let split = groups / 2 // groups [0, split) → half 0, [split, groups) → half 1
        var halfSums = [CompensatedSum](repeating: CompensatedSum(), count: 2)
        st.rowPointers.withUnsafeBufferPointer { rpb in
        st.columnIndices.withUnsafeBufferPointer { cib in
        st.values.withUnsafeBufferPointer { vsb in
        v.storage.withUnsafeBufferPointer { vb in
        sv.storage.withUnsafeMutableBufferPointer { sb in
        halfSums.withUnsafeMutableBufferPointer { hb in
            let rp = SharedPointer(rpb.baseAddress!), ci = SharedPointer(cib.baseAddress!)
            let vs = SharedPointer(vsb.baseAddress!), vp = SharedPointer(vb.baseAddress!)
            let sp = SharedPointer(sb.baseAddress!), hp = SharedPointer(hb.baseAddress!)
            let partials = SharedPointer([norms, scratch])
            let body: @Sendable (Int) -> Void = { half in
                let rp = rp.value, ci = ci.value, vs = vs.value
                let nrm = partials.value[half]
                let range = half == 0 ? 0..<split : split..<groups
                for i in 0..<m { nrm[i] = 0 }
                let c0 = G * range.lowerBound, c1 = min(dim, G * range.upperBound)
                if c1 > c0 { (sp.value + c0 * n).update(repeating: 0, count: (c1 - c0) * n) }
                for gi in range {
                    let d0 = G * gi
                    let width = min(G, dim - d0)
                    let s0 = sp.value + d0 * n, v0 = vp.value + d0 * m
                    if width == 8 {
                        let s1 = s0 + n, s2 = s1 + n, s3 = s2 + n, s4 = s3 + n, s5 = s4 + n, s6 = s5 + n, s7 = s6 + n
                        let v1 = v0 + m, v2 = v1 + m, v3 = v2 + m, v4 = v3 + m, v5 = v4 + m, v6 = v5 + m, v7 = v6 + m
                        for i in 0..<m {
                            let x0 = v0[i], x1 = v1[i], x2 = v2[i], x3 = v3[i]
                            let x4 = v4[i], x5 = v5[i], x6 = v6[i], x7 = v7[i]
                            nrm[i] = nrm[i] + x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3 + x4 * x4 + x5 * x5 + x6 * x6 + x7 * x7
                            for k in rp[i]..<rp[i + 1] {
                                let r = Int(ci[k]), w = vs[k]
                                s0[r] += w * x0; s1[r] += w * x1; s2[r] += w * x2; s3[r] += w * x3
                                s4[r] += w * x4; s5[r] += w * x5; s6[r] += w * x6; s7[r] += w * x7
                            }
                        }
                    } else if width == 4 {
                        let s1 = s0 + n, s2 = s1 + n, s3 = s2 + n
                        let v1 = v0 + m, v2 = v1 + m, v3 = v2 + m
                        for i in 0..<m {
                            let x0 = v0[i], x1 = v1[i], x2 = v2[i], x3 = v3[i]
                            nrm[i] = nrm[i] + x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3
                            for k in rp[i]..<rp[i + 1] {
                                let r = Int(ci[k]), w = vs[k]
                                s0[r] += w * x0; s1[r] += w * x1; s2[r] += w * x2; s3[r] += w * x3
                            }
                        }
                    } else {
                        for j in 0..<width {
                            let sj = s0 + j * n, vj = v0 + j * m
                            for i in 0..<m {
                                let x = vj[i]
                                nrm[i] += x * x
                                for k in rp[i]..<rp[i + 1] { sj[Int(ci[k])] += vs[k] * x }
                            }
                        }
                    }
                }
                var sum = CompensatedSum()
                if c1 > c0 {
                    let base = sp.value + c0 * n
                    for k in 0..<((c1 - c0) * n) { sum.add(base[k] * base[k]) }
                }
                hp.value[half] = sum
            }
            if st.nonzeroCount * dim + m * dim < parallelThreshold || ProcessInfoCores.count < 2 {
                body(0); body(1)
            } else {
                DispatchQueue.concurrentPerform(iterations: 2, execute: body)
            }
        }}}}}}
        for i in 0..<m { norms[i] += scratch[i] }
        var total = CompensatedSum()
        total.add(halfSums[0].value)
        total.add(halfSums[1].value)
        return total.value
    }

    /// sv is SV (N × D, column-major); gradient[:, d] = −4·(XV[:, d] + excess·V[:, d]),
    /// eight columns per pass over the CSR of Sᵀ, parallel over column groups.
    static func assembleColumns(st: SparseMatrix, sv: UnsafePointer<Double>, v: Matrix, excess: UnsafePointer<Double>,
                                gradient: inout Matrix) {
        let m = v.rows, dim = v.columns, n = st.columns
        let G = groupWidth
        let groups = (dim + G - 1) / G
        st.rowPointers.withUnsafeBufferPointer { rpb in
        st.columnIndices.withUnsafeBufferPointer { cib in
        st.values.withUnsafeBufferPointer { vsb in
        v.storage.withUnsafeBufferPointer { vb in
        gradient.storage.withUnsafeMutableBufferPointer { gb in
            let rp = SharedPointer(rpb.baseAddress!), ci = SharedPointer(cib.baseAddress!)
            let vs = SharedPointer(vsb.baseAddress!), vp = SharedPointer(vb.baseAddress!)
            let gp = SharedPointer(gb.baseAddress!), svp = SharedPointer(sv), ep = SharedPointer(excess)
            parallel(groups, work: (st.nonzeroCount + 3 * m) * dim) { part, parts in
                let rp = rp.value, ci = ci.value, vs = vs.value, ex = ep.value
                for gi in (part * groups / parts)..<((part + 1) * groups / parts) {
                    let d0 = G * gi
                    let width = min(G, dim - d0)
                    let s0 = svp.value + d0 * n, v0 = vp.value + d0 * m, g0 = gp.value + d0 * m
                    if width == 8 {
                        let s1 = s0 + n, s2 = s1 + n, s3 = s2 + n, s4 = s3 + n, s5 = s4 + n, s6 = s5 + n, s7 = s6 + n
                        let v1 = v0 + m, v2 = v1 + m, v3 = v2 + m, v4 = v3 + m, v5 = v4 + m, v6 = v5 + m, v7 = v6 + m
                        let g1 = g0 + m, g2 = g1 + m, g3 = g2 + m, g4 = g3 + m, g5 = g4 + m, g6 = g5 + m, g7 = g6 + m
                        for i in 0..<m {
                            var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, a4 = 0.0, a5 = 0.0, a6 = 0.0, a7 = 0.0
                            for k in rp[i]..<rp[i + 1] {
                                let r = Int(ci[k]), w = vs[k]
                                a0 += w * s0[r]; a1 += w * s1[r]; a2 += w * s2[r]; a3 += w * s3[r]
                                a4 += w * s4[r]; a5 += w * s5[r]; a6 += w * s6[r]; a7 += w * s7[r]
                            }
                            let e = ex[i]
                            g0[i] = -4 * (a0 + e * v0[i]); g1[i] = -4 * (a1 + e * v1[i])
                            g2[i] = -4 * (a2 + e * v2[i]); g3[i] = -4 * (a3 + e * v3[i])
                            g4[i] = -4 * (a4 + e * v4[i]); g5[i] = -4 * (a5 + e * v5[i])
                            g6[i] = -4 * (a6 + e * v6[i]); g7[i] = -4 * (a7 + e * v7[i])
                        }
                    } else if width == 4 {
                        let s1 = s0 + n, s2 = s1 + n, s3 = s2 + n
                        let v1 = v0 + m, v2 = v1 + m, v3 = v2 + m
                        let g1 = g0 + m, g2 = g1 + m, g3 = g2 + m
                        for i in 0..<m {
                            var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
                            for k in rp[i]..<rp[i + 1] {
                                let r = Int(ci[k]), w = vs[k]
                                a0 += w * s0[r]; a1 += w * s1[r]; a2 += w * s2[r]; a3 += w * s3[r]
                            }
                            let e = ex[i]
                            g0[i] = -4 * (a0 + e * v0[i]); g1[i] = -4 * (a1 + e * v1[i])
                            g2[i] = -4 * (a2 + e * v2[i]); g3[i] = -4 * (a3 + e * v3[i])
                        }
                    } else {
                        for j in 0..<width {
                            let sj = s0 + j * n, vj = v0 + j * m, gj = g0 + j * m
                            for i in 0..<m {
                                var a = 0.0
                                for k in rp[i]..<rp[i + 1] { a += vs[k] * sj[Int(ci[k])] }
                                gj[i] = -4 * (a + ex[i] * vj[i])
                            }
                        }
                    }
                }
            }
        }}}}}
    }
}
