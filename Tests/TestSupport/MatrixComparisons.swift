import LinearAlgebra

/// Relative difference of two numbers, safe at zero.
public func relativeError(_ a: Double, _ b: Double) -> Double {
    abs(a - b) / max(abs(a), abs(b), 1e-300)
}

public func maxAbs(_ m: Matrix) -> Double { m.storage.lazy.map(abs).max() ?? 0 }

public func difference(_ a: Matrix, _ b: Matrix) -> Matrix {
    Matrix(rows: a.rows, columns: a.columns, columnMajor: zip(a.storage, b.storage).map { $0 - $1 })
}
