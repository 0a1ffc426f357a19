import Dispatch
import LinearAlgebra

/// Pointer that may cross into `concurrentPerform`; every task touches a disjoint part.
struct SharedPointer<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Kernels of `MaskedLoss` for X = SᵀS, written for cache reuse and two threads:
///
/// * row norms ‖v_i‖², parallel over row ranges;
/// * Sᵀ·(SV) fused with the gradient's operator and diagonal terms, four columns per pass over the
///   CSR of Sᵀ (the index arrays are read D/4 times instead of D times, and V, SV and the gradient
///   are streamed in column order), parallel over column groups.
///
/// Every entry is the same sum in the same order as the plain loops, so results are unchanged.
enum ImplicitKernels {
    /// Below this many multiply-adds the work runs on one thread: waking a second costs more.
    static let parallelThreshold = 200_000

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

    /// sv is SV (N × D, column-major); gradient[:, d] = −4·(XV[:, d] + excess·V[:, d]),
    /// four columns per pass over the CSR of Sᵀ, parallel over column groups.
    static func assembleColumns(st: SparseMatrix, sv: UnsafePointer<Double>, v: Matrix, excess: UnsafePointer<Double>,
                                gradient: inout Matrix) {
        let m = v.rows, dim = v.columns, n = st.columns
        let groups = (dim + 3) / 4
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
                    let d0 = 4 * gi
                    let width = min(4, dim - d0)
                    let s0 = svp.value + d0 * n, v0 = vp.value + d0 * m, g0 = gp.value + d0 * m
                    if width == 4 {
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
