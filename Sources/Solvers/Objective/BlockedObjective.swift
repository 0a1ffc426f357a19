import _COpenBLAS
import LinearAlgebra

/// Sᵀ (items × users, CSR) as the block kernels read it, with the users renumbered by activity
/// (most likes first) when asked. Renumbering users changes nothing outside: X = SᵀS does not
/// depend on the order of S's rows, and SV is internal. It packs the rows of SV that the scatter
/// and gather touch most into a contiguous, cache-resident front; each item's list keeps its
/// original order (only the labels change), so every sum is taken in the same order as without
/// renumbering and the results are bitwise the same.
struct ItemCSR: @unchecked Sendable {
    let items: Int
    let users: Int
    let rowPointers: [Int]
    let columnIndices: [Int32]
    let values: [Double]
    var nonzeroCount: Int { columnIndices.count }

    init(_ st: SparseMatrix, renumberUsersByActivity: Bool) {
        items = st.rows
        users = st.columns
        rowPointers = st.rowPointers
        values = st.values
        guard renumberUsersByActivity else { columnIndices = st.columnIndices; return }
        var likes = [Int](repeating: 0, count: users)
        for c in st.columnIndices { likes[Int(c)] += 1 }
        // Stable: equal activity keeps the original order.
        let order = (0..<users).sorted { likes[$0] != likes[$1] ? likes[$0] > likes[$1] : $0 < $1 }
        var label = [Int32](repeating: 0, count: users)
        for (new, old) in order.enumerated() { label[old] = Int32(new) }
        columnIndices = st.columnIndices.map { label[Int($0)] }
    }
}

/// The loss + gradient of X = SᵀS written over item blocks b (rows V_b of V, columns S_{:,b} of S):
///
///     G  = VᵀV = Σ_b V_bᵀV_b            (allreduce of D × D)
///     SV = Σ_b S_{:,b}·V_b              (allreduce of users × D, in the same buffer)
///     ∇L_b = 4·(V_b·G − S_{:,b}ᵀ(SV) − diag(n_i − X_ii)_b·V_b)   (local to the block)
///
/// `evaluateBlock` is the work of one participant of a `Communicator`; in one process a
/// `ThreadTeam` runs one block per thread with OpenBLAS limited to one thread for the duration, so
/// that no BLAS call hands work to OpenBLAS's own pool (whose polling competed with our threads,
/// docs/performance.md). An MPI rank would call `evaluateBlock` with its own V_b and S_{:,b}
/// (indices into a local block; the arithmetic is the same).
///
/// Sums: SV is the rank-order sum of the blocks' partial products (each an in-order CSR sum over
/// the block's items), so it equals the unblocked SV to rounding (≈1e-16 relative), not bitwise;
/// with one block it is bitwise the unblocked product.
final class BlockedObjective {
    let st: ItemCSR
    let dimension: Int
    let blocks: ItemBlocks
    private let team: ThreadTeam
    /// Per rank: [G (D × D) | SV (N × D)], the allreduce buffer (owned, freed in deinit).
    private let reduceBuffers: [UnsafeMutableBufferPointer<Double>]
    /// ‖SV‖²_F as rank 0 received it.
    private let quadraticResult: UnsafeMutablePointer<Double>

    init(st: SparseMatrix, dimension: Int, blockCount: Int, renumberUsers: Bool = true) {
        self.st = ItemCSR(st, renumberUsersByActivity: renumberUsers)
        self.dimension = dimension
        self.blocks = ItemBlocks.balanced(rowPointers: st.rowPointers, count: blockCount,
                                          rowWeight: ItemBlocks.rowWeight(dimension: dimension))
        self.team = ThreadTeam(size: blocks.count)
        let length = dimension * dimension + self.st.users * dimension
        self.reduceBuffers = (0..<blocks.count).map { _ in
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: length)
            b.initialize(repeating: 0)
            return b
        }
        self.quadraticResult = .allocate(capacity: 1)
        quadraticResult.initialize(to: 0)
    }

    deinit {
        for b in reduceBuffers { b.deallocate() }
        quadraticResult.deallocate()
    }

    /// Fills `gradient`, `gram` (full VᵀV), `rowNorms` (‖v_i‖²) and returns ‖G‖²_F and ‖SV‖²_F.
    func evaluate(_ v: Matrix, diagonal: [Double], gradient: inout Matrix, gram: inout Matrix,
                  rowNorms: inout [Double]) -> (gramNorm: Double, quadratic: Double) {
        precondition(gradient.rows == v.rows && gradient.columns == v.columns)
        return gradient.storage.withUnsafeMutableBufferPointer { gb in
            evaluate(v, diagonal: diagonal, gradient: gb.baseAddress!, gram: &gram, rowNorms: &rowNorms)
        }
    }

    /// The loss pieces only (no gradient): the same sums as `evaluate`, so a loss computed either
    /// way is bitwise the same number.
    func evaluateLoss(_ v: Matrix, diagonal: [Double], gram: inout Matrix, rowNorms: inout [Double]) -> (gramNorm: Double, quadratic: Double) {
        evaluate(v, diagonal: diagonal, gradient: nil, gram: &gram, rowNorms: &rowNorms)
    }

    private func evaluate(_ v: Matrix, diagonal: [Double], gradient: UnsafeMutablePointer<Double>?, gram: inout Matrix,
                          rowNorms: inout [Double]) -> (gramNorm: Double, quadratic: Double) {
        let d = dimension, m = v.rows
        precondition(v.columns == d && gram.rows == d && rowNorms.count == m)
        let savedThreads = BLAS.threadCount
        if savedThreads != 1 { BLAS.setThreadCount(1) }
        defer { if savedThreads != 1 { BLAS.setThreadCount(savedThreads) } }
        v.storage.withUnsafeBufferPointer { vb in
        rowNorms.withUnsafeMutableBufferPointer { nb in
        diagonal.withUnsafeBufferPointer { db in
            let vp = SharedPointer(vb.baseAddress!), gp = SharedPointer(gradient)
            let np = SharedPointer(nb.baseAddress!), dp = SharedPointer(db.baseAddress!)
            do {
                try team.run { [self] comm in
                    let r = comm.rank
                    let q = try evaluateBlock(comm, block: blocks.range(r), v: vp.value, itemCount: m,
                                              diagonal: dp.value, rowNorms: np.value, gradient: gp.value,
                                              reduceBuffer: reduceBuffers[r])
                    if r == 0 { quadraticResult.pointee = q }
                }
            } catch {
                preconditionFailure("in-process block evaluation failed: \(error)")
            }
        }}}
        let rb = reduceBuffers[0]
        gram.storage.withUnsafeMutableBufferPointer { g in g.baseAddress!.update(from: rb.baseAddress!, count: d * d) }
        return (MaskedLoss.symmetricNormSquared(gram), quadraticResult.pointee)
    }

    /// One participant's share: items `block` of V (column-major, leading dimension `itemCount`).
    /// Writes rowNorms and gradient rows of the block only (no gradient when `gradient` is nil);
    /// `reduceBuffer` (D² + N·D) is this participant's own. Returns ‖SV‖²_F (the same on every
    /// participant).
    func evaluateBlock(_ comm: any Communicator, block: Range<Int>, v: UnsafePointer<Double>, itemCount m: Int,
                       diagonal: UnsafePointer<Double>, rowNorms: UnsafeMutablePointer<Double>,
                       gradient: UnsafeMutablePointer<Double>?, reduceBuffer: UnsafeMutableBufferPointer<Double>) throws -> Double {
        let d = dimension, n = st.users
        let gram = reduceBuffer.baseAddress!, sv = gram + d * d
        reduceBuffer.update(repeating: 0)
        BlockKernels.scatterProduct(st: st, items: block, v: v, ld: m, dimension: d, sv: sv, rowNorms: rowNorms)
        if !block.isEmpty {
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(d), Int32(block.count), 1, v + block.lowerBound,
                        Int32(m), 0, gram, Int32(d))
        }
        try comm.allreduceSum(reduceBuffer)
        for j in 0..<d { for i in (j + 1)..<d { gram[i + j * d] = gram[j + i * d] } }
        if let gradient {
            BlockKernels.gatherAssemble(st: st, items: block, sv: sv, v: v, ld: m, dimension: d, rowNorms: rowNorms,
                                        diagonal: diagonal, gradient: gradient)
        }
        if let gradient, !block.isEmpty {
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(block.count), Int32(d), Int32(d), 4,
                        v + block.lowerBound, Int32(m), gram, Int32(d), 1, gradient + block.lowerBound, Int32(m))
        }
        // ‖SV‖²_F: each participant sums its slice of the entries, the slices are added in rank order.
        let count = n * d
        let lo = comm.rank * count / comm.size, hi = (comm.rank + 1) * count / comm.size
        var sum = CompensatedSum()
        for k in lo..<hi { sum.add(sv[k] * sv[k]) }
        return try comm.allreduceSum(sum.value)
    }
}

/// The two sparse passes restricted to a range of items (rows of Sᵀ), all D columns, eight at a
/// time, single-threaded (the caller runs one range per thread).
///
/// SV is stored in column groups of eight, interleaved by user: entry (r, d) of group g = d / 8
/// (width w = min(8, D − 8g)) sits at 8·N·g + w·r + (d − 8g). One like then touches one 64-byte
/// line of SV instead of eight lines in eight columns N apart: at 50,000 users the eight columns of
/// a group span 3.2 MB, far beyond L2, and the column-major scatter and gather missed the cache
/// eight times per like (95 % of a loss + gradient at 100 k items, docs/performance.md). Every
/// entry is still the same sum in the same order, so the results are bitwise those of the
/// column-major loops (`columnMajor` converts for tests). The layout is the same on every
/// participant, so the allreduce of SV (element by element) and ‖SV‖²_F do not depend on it.
enum BlockKernels {
    /// Offset of SV's entry (user r, column d) in the grouped layout.
    static func offset(user r: Int, column d: Int, users n: Int, dimension dim: Int) -> Int {
        let g = d / 8, w = min(8, dim - 8 * g)
        return 8 * n * g + w * r + (d - 8 * g)
    }

    /// SV in the grouped layout → column-major N × D.
    static func columnMajor(_ sv: [Double], users n: Int, dimension dim: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * dim)
        for d in 0..<dim { for r in 0..<n { out[r + d * n] = sv[offset(user: r, column: d, users: n, dimension: dim)] } }
        return out
    }

    /// sv[:, d] += Σ_{i ∈ items} S_{:,i}·V[i, d] (sv in the grouped layout) and rowNorms[i] = ‖v_i‖²
    /// for i in items. The sums for one user run over the range's items in increasing order, as
    /// in the plain CSR product.
    static func scatterProduct(st: ItemCSR, items: Range<Int>, v: UnsafePointer<Double>, ld m: Int, dimension dim: Int,
                               sv: UnsafeMutablePointer<Double>, rowNorms nrm: UnsafeMutablePointer<Double>) {
        let n = st.users
        for i in items { nrm[i] = 0 }
        st.rowPointers.withUnsafeBufferPointer { rpb in
        st.columnIndices.withUnsafeBufferPointer { cib in
        st.values.withUnsafeBufferPointer { vsb in
            let rp = rpb.baseAddress!, ci = cib.baseAddress!, vs = vsb.baseAddress!
            var d0 = 0
            while d0 < dim {
                let width = min(8, dim - d0)
                let s0 = sv + d0 * n, v0 = v + d0 * m
                if width == 8 {
                    let v1 = v0 + m, v2 = v1 + m, v3 = v2 + m, v4 = v3 + m, v5 = v4 + m, v6 = v5 + m, v7 = v6 + m
                    let raw = UnsafeMutableRawPointer(s0)
                    for i in items {
                        let x0 = v0[i], x1 = v1[i], x2 = v2[i], x3 = v3[i], x4 = v4[i], x5 = v5[i], x6 = v6[i], x7 = v7[i]
                        nrm[i] = nrm[i] + x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3 + x4 * x4 + x5 * x5 + x6 * x6 + x7 * x7
                        let x = SIMD8<Double>(x0, x1, x2, x3, x4, x5, x6, x7)
                        for k in rp[i]..<rp[i + 1] {
                            let at = 64 * Int(ci[k])
                            let sum = raw.loadUnaligned(fromByteOffset: at, as: SIMD8<Double>.self) + vs[k] * x
                            raw.storeBytes(of: sum, toByteOffset: at, as: SIMD8<Double>.self)
                        }
                    }
                } else {
                    for j in 0..<width {
                        let vj = v0 + j * m
                        for i in items {
                            let x = vj[i]
                            nrm[i] += x * x
                            for k in rp[i]..<rp[i + 1] { s0[width * Int(ci[k]) + j] += vs[k] * x }
                        }
                    }
                }
                d0 += width
            }
        }}}
    }

    /// gradient[i, d] = −4·((Sᵀ·SV)[i, d] + (rowNorms[i] − diagonal[i])·V[i, d]) for i in items
    /// (sv in the grouped layout), each (SᵀSV)[i, d] summed over row i of Sᵀ in order, as in the
    /// plain CSR product.
    static func gatherAssemble(st: ItemCSR, items: Range<Int>, sv: UnsafePointer<Double>, v: UnsafePointer<Double>,
                               ld m: Int, dimension dim: Int, rowNorms: UnsafePointer<Double>, diagonal: UnsafePointer<Double>,
                               gradient: UnsafeMutablePointer<Double>) {
        let n = st.users
        st.rowPointers.withUnsafeBufferPointer { rpb in
        st.columnIndices.withUnsafeBufferPointer { cib in
        st.values.withUnsafeBufferPointer { vsb in
            let rp = rpb.baseAddress!, ci = cib.baseAddress!, vs = vsb.baseAddress!
            var d0 = 0
            while d0 < dim {
                let width = min(8, dim - d0)
                let s0 = sv + d0 * n, v0 = v + d0 * m, g0 = gradient + d0 * m
                if width == 8 {
                    let v1 = v0 + m, v2 = v1 + m, v3 = v2 + m, v4 = v3 + m, v5 = v4 + m, v6 = v5 + m, v7 = v6 + m
                    let g1 = g0 + m, g2 = g1 + m, g3 = g2 + m, g4 = g3 + m, g5 = g4 + m, g6 = g5 + m, g7 = g6 + m
                    let raw = UnsafeRawPointer(s0)
                    for i in items {
                        var a = SIMD8<Double>()
                        for k in rp[i]..<rp[i + 1] {
                            a = a + vs[k] * raw.loadUnaligned(fromByteOffset: 64 * Int(ci[k]), as: SIMD8<Double>.self)
                        }
                        let e = rowNorms[i] - diagonal[i]
                        g0[i] = -4 * (a[0] + e * v0[i]); g1[i] = -4 * (a[1] + e * v1[i])
                        g2[i] = -4 * (a[2] + e * v2[i]); g3[i] = -4 * (a[3] + e * v3[i])
                        g4[i] = -4 * (a[4] + e * v4[i]); g5[i] = -4 * (a[5] + e * v5[i])
                        g6[i] = -4 * (a[6] + e * v6[i]); g7[i] = -4 * (a[7] + e * v7[i])
                    }
                } else {
                    for j in 0..<width {
                        let vj = v0 + j * m, gj = g0 + j * m
                        for i in items {
                            var a = 0.0
                            for k in rp[i]..<rp[i + 1] { a += vs[k] * s0[width * Int(ci[k]) + j] }
                            gj[i] = -4 * (a + (rowNorms[i] - diagonal[i]) * vj[i])
                        }
                    }
                }
                d0 += width
            }
        }}}
    }
}
