/// A symmetric linear operator `A` (n × n) that knows its size and how to apply itself.
///
/// Eigensolvers and solvers take any conforming type, so a dense matrix, a sparse matrix, the
/// implicit `SᵀS` and "any operator + diag(d)" are interchangeable. Conformers must be symmetric;
/// nothing checks that at apply time (constructors that wrap user data check it once).
public protocol SymmetricOperator: Sendable {
    /// n, the operator's order.
    var dimension: Int { get }

    /// y ← A·x, with `x.count == y.count == dimension`.
    func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>)

    /// Y ← A·X for a block of column vectors (`X.rows == dimension`). The default applies
    /// column by column; conformers override it with a level-3 or sparse-block product.
    func apply(_ x: Matrix, into y: inout Matrix)

    /// The diagonal of A.
    var diagonal: [Double] { get }
}

extension SymmetricOperator {
    public func apply(_ x: Matrix, into y: inout Matrix) {
        precondition(x.rows == dimension && y.rows == dimension && y.columns == x.columns,
                     "operator of order \(dimension) applied to \(x.rows)×\(x.columns) into \(y.rows)×\(y.columns)")
        let n = dimension
        x.storage.withUnsafeBufferPointer { xs in
            y.storage.withUnsafeMutableBufferPointer { ys in
                for j in 0..<x.columns {
                    apply(UnsafeBufferPointer(rebasing: xs[(j * n)..<((j + 1) * n)]),
                          into: UnsafeMutableBufferPointer(rebasing: ys[(j * n)..<((j + 1) * n)]))
                }
            }
        }
    }

    /// A·X as a new matrix.
    public func applied(to x: Matrix) -> Matrix {
        var y = Matrix(rows: dimension, columns: x.columns)
        apply(x, into: &y)
        return y
    }

    /// A·x for an array.
    public func applied(to x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: dimension)
        x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { apply(xs, into: $0) } }
        return y
    }
}

/// A dense symmetric matrix as an operator (BLAS symm/symv on the upper triangle).
public struct DenseSymmetricOperator: SymmetricOperator {
    public let matrix: Matrix

    /// Wraps `matrix`, refusing it unless it is square, finite and symmetric within
    /// `tolerance · max(1, max|a_ij|)`.
    public init(_ matrix: Matrix, tolerance: Double = 1e-12) throws {
        guard matrix.isSquare else {
            throw LinearAlgebraError.dimensionMismatch("a symmetric operator needs a square matrix, got \(matrix.rows)×\(matrix.columns)")
        }
        guard matrix.isFinite else { throw LinearAlgebraError.nonFinite("matrix has NaN or infinite entries") }
        let scale = max(1, matrix.storage.lazy.map(abs).max() ?? 0)
        let asym = matrix.maxAsymmetry
        guard asym <= tolerance * scale else {
            throw LinearAlgebraError.notSymmetric(maxAsymmetry: asym, tolerance: tolerance * scale)
        }
        self.matrix = matrix
    }

    public var dimension: Int { matrix.rows }
    public var diagonal: [Double] { matrix.diagonal }

    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        BLAS.gemv(.none, matrix, x, into: y)
    }

    public func apply(_ x: Matrix, into y: inout Matrix) {
        BLAS.symm(matrix, x, into: &y)
    }
}

/// A sparse symmetric matrix (CSR, both triangles stored) as an operator.
public struct SparseSymmetricOperator: SymmetricOperator {
    public let matrix: SparseMatrix

    /// Wraps `matrix`, refusing it unless it is square, finite and symmetric within `tolerance`.
    public init(_ matrix: SparseMatrix, tolerance: Double = 1e-12) throws {
        guard matrix.rows == matrix.columns else {
            throw LinearAlgebraError.dimensionMismatch("a symmetric operator needs a square matrix, got \(matrix.rows)×\(matrix.columns)")
        }
        guard matrix.values.allSatisfy({ $0.isFinite }) else { throw LinearAlgebraError.nonFinite("matrix has NaN or infinite entries") }
        let scale = max(1, matrix.values.lazy.map(abs).max() ?? 0)
        guard matrix.isSymmetric(tolerance: tolerance * scale) else {
            throw LinearAlgebraError.notSymmetric(maxAsymmetry: .nan, tolerance: tolerance * scale)
        }
        self.matrix = matrix
    }

    public var dimension: Int { matrix.rows }
    public var diagonal: [Double] { (0..<matrix.rows).map { matrix[$0, $0] } }

    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        for r in 0..<matrix.rows {
            var acc = 0.0
            for k in matrix.rowPointers[r]..<matrix.rowPointers[r + 1] {
                acc += matrix.values[k] * x[Int(matrix.columnIndices[k])]
            }
            y[r] = acc
        }
    }

    public func apply(_ x: Matrix, into y: inout Matrix) {
        matrix.multiply(x, into: &y)
    }
}

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

/// `A + diag(d)` for any symmetric operator A: the diagonal-refilled matrix of alternating
/// imputation, applied without forming it.
public struct DiagonallyShiftedOperator<Base: SymmetricOperator>: SymmetricOperator {
    public let base: Base
    public let shift: [Double]

    public init(_ base: Base, adding shift: [Double]) {
        precondition(shift.count == base.dimension, "shift has \(shift.count) entries, operator order is \(base.dimension)")
        self.base = base
        self.shift = shift
    }

    public var dimension: Int { base.dimension }
    public var diagonal: [Double] { zip(base.diagonal, shift).map { $0 + $1 } }

    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        base.apply(x, into: y)
        for i in 0..<dimension { y[i] += shift[i] * x[i] }
    }

    public func apply(_ x: Matrix, into y: inout Matrix) {
        base.apply(x, into: &y)
        let n = dimension
        for j in 0..<x.columns {
            for i in 0..<n { y.storage[i + j * n] += shift[i] * x.storage[i + j * n] }
        }
    }
}
