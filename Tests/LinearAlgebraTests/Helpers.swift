import LinearAlgebra
import TestSupport

// Brute-force helpers shared by the linear-algebra tests: independent of BLAS/LAPACK so that a
// wrong wrapper cannot agree with itself.

/// Naive triple-loop product A·B.
func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    precondition(a.columns == b.rows)
    return Matrix(rows: a.rows, columns: b.columns) { i, j in
        var s = 0.0
        for l in 0..<a.columns { s += a[i, l] * b[l, j] }
        return s
    }
}

/// The dense matrix of an operator, built column by column from single-vector applies.
func materialise(_ op: some SymmetricOperator) -> Matrix {
    let n = op.dimension
    var m = Matrix(rows: n, columns: n)
    for j in 0..<n {
        var e = [Double](repeating: 0, count: n)
        e[j] = 1
        let col = op.applied(to: e)
        for i in 0..<n { m[i, j] = col[i] }
    }
    return m
}

func frobenius(_ m: Matrix) -> Double { m.frobeniusNormSquared.squareRoot() }

/// Spectral norm of a symmetric matrix (largest |λ|).
func spectralNorm(_ a: Matrix) throws -> Double {
    try LAPACK.symmetricEigenvalues(a).lazy.map(abs).max() ?? 0
}

/// ‖A·V − V·Λ‖_F / ‖A‖₂ computed with the naive product.
func relativeResidual(_ a: Matrix, _ values: [Double], _ v: Matrix) throws -> Double {
    var r = naiveProduct(a, v)
    for j in 0..<v.columns {
        for i in 0..<v.rows { r[i, j] -= values[j] * v[i, j] }
    }
    return frobenius(r) / max(try spectralNorm(a), .leastNormalMagnitude)
}

/// ‖VᵀV − I‖_F.
func orthonormalityError(_ v: Matrix) -> Double {
    var g = naiveProduct(v.transposed, v)
    for i in 0..<g.rows { g[i, i] -= 1 }
    return frobenius(g)
}

/// The projector V·Vᵀ.
func projector(_ v: Matrix) -> Matrix { naiveProduct(v, v.transposed) }

func isDescending(_ values: [Double]) -> Bool {
    zip(values, values.dropFirst()).allSatisfy { $0 >= $1 }
}
