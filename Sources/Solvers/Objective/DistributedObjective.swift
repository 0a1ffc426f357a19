import _COpenBLAS
import LinearAlgebra

/// The loss + gradient of X = SᵀS on one participant of an `ItemDistribution`: the same block
/// algebra as `BlockedObjective` (one block, the participant's own), with the allreduce of
/// [VᵀV | SV] going through the distribution's communicator.
///
/// With local rows (`holdsOwnRowsOnly`) V, the gradient and the row norms are the block's rows
/// only (M_b × D; row k is item block.lowerBound + k) and nothing else moves: per evaluation the
/// allreduce of D² + N·D numbers and one of ‖SV‖²'s partials. With replicated rows the gradient
/// rows and row norms of every block are then gathered ((M − M_b)·(D + 1) numbers received).
final class DistributedObjective {
    let distribution: ItemDistribution
    let st: ItemCSR
    let dimension: Int
    /// [VᵀV (D × D) | SV (N × D)], the allreduce buffer.
    private var reduceBuffer: [Double]

    init(localBlock s: SparseMatrix, dimension: Int, distribution: ItemDistribution) {
        // No user renumbering: the labels of SV's rows must be the same on every participant, and
        // an activity order computed from one block would differ between participants.
        self.st = ItemCSR(s.transposed, renumberUsersByActivity: false)
        self.dimension = dimension
        self.distribution = distribution
        self.reduceBuffer = [Double](repeating: 0, count: dimension * dimension + s.rows * dimension)
    }

    /// Fills `gram`, `rowNorms` and (when given) `gradient` on every participant; returns ‖G‖²_F
    /// and ‖SV‖²_F.
    func evaluate(_ v: Matrix, diagonal: [Double], gradient: UnsafeMutablePointer<Double>?, gram: inout Matrix,
                  rowNorms: inout [Double]) -> (gramNorm: Double, quadratic: Double) {
        do {
            return try evaluateThrowing(v, diagonal: diagonal, gradient: gradient, gram: &gram, rowNorms: &rowNorms)
        } catch {
            distribution.failureHandler(error)
        }
    }

    private func evaluateThrowing(_ v: Matrix, diagonal: [Double], gradient: UnsafeMutablePointer<Double>?, gram: inout Matrix,
                                  rowNorms: inout [Double]) throws -> (gramNorm: Double, quadratic: Double) {
        let d = dimension, m = v.rows, n = st.users
        let comm = distribution.communicator
        let block = distribution.block
        let local = distribution.holdsOwnRowsOnly
        precondition(v.columns == d && gram.rows == d && rowNorms.count == m && m == (local ? block.count : distribution.itemCount))
        // The kernels address row i of V, the gradient and the norms at i (global item number): with
        // local rows the held arrays start at item block.lowerBound, so their bases shift back.
        let shift = local ? block.lowerBound : 0
        let quadratic: Double = try v.storage.withUnsafeBufferPointer { vb in
            try rowNorms.withUnsafeMutableBufferPointer { nb in
                try diagonal.withUnsafeBufferPointer { db in
                    try reduceBuffer.withUnsafeMutableBufferPointer { rb in
                        let vp = vb.baseAddress! - shift, g = rb.baseAddress!, sv = g + d * d
                        let norms = nb.baseAddress! - shift
                        rb.update(repeating: 0)
                        BlockKernels.scatterProduct(st: st, items: block, v: vp, ld: m, dimension: d, sv: sv, rowNorms: norms)
                        if !block.isEmpty {
                            cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(d), Int32(block.count), 1, vp + block.lowerBound,
                                        Int32(m), 0, g, Int32(d))
                        }
                        try comm.allreduceSum(rb)
                        for j in 0..<d { for i in (j + 1)..<d { g[i + j * d] = g[j + i * d] } }
                        if let gradient, !block.isEmpty {
                            let gp = gradient - shift
                            BlockKernels.gatherAssemble(st: st, items: block, sv: sv, v: vp, ld: m, dimension: d,
                                                        rowNorms: norms, diagonal: db.baseAddress!, gradient: gp)
                            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(block.count), Int32(d), Int32(d), 4,
                                        vp + block.lowerBound, Int32(m), g, Int32(d), 1, gp + block.lowerBound, Int32(m))
                        }
                        // ‖SV‖²_F: each participant sums its slice of the entries; slices added in rank order.
                        let count = n * d
                        let lo = comm.rank * count / comm.size, hi = (comm.rank + 1) * count / comm.size
                        var sum = CompensatedSum()
                        for k in lo..<hi { sum.add(sv[k] * sv[k]) }
                        return try comm.allreduceSum(sum.value)
                    }
                }
            }
        }
        if !local { try rowNorms.withUnsafeMutableBufferPointer { try distribution.gatherVector($0) } }
        if let gradient, !local {
            var full = Matrix(rows: m, columns: d, columnMajor: Array(UnsafeBufferPointer(start: gradient, count: m * d)))
            try distribution.gatherRows(&full)
            full.storage.withUnsafeBufferPointer { gradient.update(from: $0.baseAddress!, count: m * d) }
        }
        reduceBuffer.withUnsafeBufferPointer { rb in
            gram.storage.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: rb.baseAddress!, count: d * d) }
        }
        return (MaskedLoss.symmetricNormSquared(gram), quadratic)
    }
}
