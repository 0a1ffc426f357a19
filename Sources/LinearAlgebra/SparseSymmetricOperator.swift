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
