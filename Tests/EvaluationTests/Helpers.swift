import LinearAlgebra
import TestSupport
@testable import Evaluation

/// S from explicit like lists.
func interactions(items: Int, likes: [[Int]]) -> SparseMatrix {
    let triplets = likes.enumerated().flatMap { u, row in row.map { (row: u, column: $0, value: 1.0) } }
    return try! SparseMatrix(rows: likes.count, columns: items, triplets: triplets)
}

/// Gauss–Jordan inverse with partial pivoting: an independent check on the LAPACK path.
func gaussJordanInverse(_ a: Matrix) -> Matrix {
    let n = a.rows
    var m = a
    var inv = Matrix.identity(n)
    for col in 0..<n {
        let pivot = (col..<n).max { abs(m[$0, col]) < abs(m[$1, col]) }!
        if pivot != col {
            for j in 0..<n {
                m.storage.swapAt(col + j * n, pivot + j * n)
                inv.storage.swapAt(col + j * n, pivot + j * n)
            }
        }
        let d = m[col, col]
        for j in 0..<n { m[col, j] /= d; inv[col, j] /= d }
        for r in 0..<n where r != col {
            let f = m[r, col]
            if f == 0 { continue }
            for j in 0..<n { m[r, j] -= f * m[col, j]; inv[r, j] -= f * inv[col, j] }
        }
    }
    return inv
}

