import LinearAlgebra

/// X = SᵀS applied by item blocks: SX_b = S_{:,b}·x_b summed over participants (allreduce of one
/// users-vector per column), then the block's rows of Sᵀ(Sx) locally and a gather of the rows.
/// Each participant holds only S_{:,b}; the result is the same matrix on every participant.
public struct DistributedGramOperator: SymmetricOperator {
    public let distribution: ItemDistribution
    let s: SparseMatrix
    let st: SparseMatrix
    public let diagonal: [Double]
    /// Σ over participants of their block's longest user row: at least the longest row of the
    /// whole S, and the same number everywhere (the loss's error bound needs a replicated length).
    let longestUserRowBound: Int

    init(localBlock s: SparseMatrix, diagonal: [Double], distribution: ItemDistribution, longestUserRowBound: Int) {
        self.s = s
        self.st = s.transposed
        self.diagonal = diagonal
        self.distribution = distribution
        self.longestUserRowBound = longestUserRowBound
    }

    public var dimension: Int { s.columns }

    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        let xm = Matrix(rows: dimension, columns: 1, columnMajor: Array(x))
        var ym = Matrix(rows: dimension, columns: 1)
        apply(xm, into: &ym)
        for i in 0..<dimension { y[i] = ym.storage[i] }
    }

    public func apply(_ x: Matrix, into y: inout Matrix) {
        precondition(x.rows == dimension && y.rows == dimension && y.columns == x.columns)
        var sx = s.multiply(x)
        do {
            try distribution.sum(&sx)
            st.multiply(sx, into: &y)
            try distribution.gatherRows(&y)
        } catch {
            distribution.failureHandler(error)
        }
    }
}
