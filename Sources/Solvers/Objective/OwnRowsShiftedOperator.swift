import LinearAlgebra

/// Y = X + diag(shift) restricted to a participant's own rows, for vectors given by their own rows
/// only (local rows): X·E from `DistributedGramOperator.applyOwnRows` (S_{:,b}·E_b summed over the
/// participants, then the block's rows of Sᵀ(SE)) plus the block's part of the diagonal shift.
/// Its "order" is the block's row count M_b: it is a symmetric operator only as one participant's
/// share of the distributed one, and is used where every product over items it feeds is completed
/// by `ItemSums` (impute's Rayleigh–Ritz step).
struct OwnRowsShiftedOperator: SymmetricOperator {
    let base: DistributedGramOperator
    /// The block's entries of the diagonal shift (M_b numbers).
    let shift: [Double]

    init(_ base: DistributedGramOperator, addingOwnRows shift: [Double]) {
        precondition(shift.count == base.distribution.block.count,
                     "own-rows shift has \(shift.count) entries, the block \(base.distribution.block.count)")
        self.base = base
        self.shift = shift
    }

    var dimension: Int { shift.count }
    var diagonal: [Double] { zip(base.diagonal[base.distribution.block], shift).map { $0 + $1 } }

    func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        var ym = Matrix(rows: dimension, columns: 1)
        apply(Matrix(rows: dimension, columns: 1, columnMajor: Array(x)), into: &ym)
        for i in 0..<dimension { y[i] = ym.storage[i] }
    }

    func apply(_ x: Matrix, into y: inout Matrix) {
        precondition(x.rows == dimension && y.rows == dimension && y.columns == x.columns)
        y = base.applyOwnRows(x)
        let n = dimension
        for j in 0..<x.columns {
            for i in 0..<n { y.storage[i + j * n] += shift[i] * x.storage[i + j * n] }
        }
    }
}
