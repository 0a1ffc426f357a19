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
