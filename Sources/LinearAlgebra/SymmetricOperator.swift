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
