/// The implicit operator `SᵀS` for an interaction matrix S (users × items): y = Sᵀ(S·x).
/// Costs 2·nnz(S) per vector and never forms the items × items product.
public struct GramOperator: SymmetricOperator {
    public let s: SparseMatrix
    let st: SparseMatrix
    public let diagonal: [Double]

    public init(_ s: SparseMatrix) {
        self.s = s
        self.st = s.transposed
        var d = [Double](repeating: 0, count: s.columns)
        for k in 0..<s.nonzeroCount { d[Int(s.columnIndices[k])] += s.values[k] * s.values[k] }
        self.diagonal = d
    }

    public var dimension: Int { s.columns }

    /// Sᵀ in CSR, as the operator holds it (callers share it rather than transpose again).
    public var transposedInteractions: SparseMatrix { st }

    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        var t = [Double](repeating: 0, count: s.rows)
        for r in 0..<s.rows {
            var acc = 0.0
            for k in s.rowPointers[r]..<s.rowPointers[r + 1] { acc += s.values[k] * x[Int(s.columnIndices[k])] }
            t[r] = acc
        }
        // Gather through the transpose (CSR of Sᵀ) so every output is written once.
        for c in 0..<st.rows {
            var acc = 0.0
            for k in st.rowPointers[c]..<st.rowPointers[c + 1] { acc += st.values[k] * t[Int(st.columnIndices[k])] }
            y[c] = acc
        }
    }

    /// Through row-interleaved groups of eight columns (`GramPanelProduct`): bitwise the same as
    /// `st.multiply(s.multiply(x))`, without its users × b intermediate.
    public func apply(_ x: Matrix, into y: inout Matrix) {
        GramPanelProduct.apply(s: s, st: st, x, into: &y)
    }
}
