import LinearAlgebra
@testable import Evaluation

/// A binary S with each entry present with probability `density`, from a fixed seed.
func randomInteractions(users: Int, items: Int, density: Double, seed: UInt64) -> SparseMatrix {
    var rng = SplitMix64(seed: seed)
    var triplets: [(row: Int, column: Int, value: Double)] = []
    for u in 0..<users {
        for i in 0..<items where Double(rng.next() >> 11) / Double(1 << 53) < density {
            triplets.append((u, i, 1))
        }
    }
    return try! SparseMatrix(rows: users, columns: items, triplets: triplets)
}

/// S from explicit like lists.
func interactions(items: Int, likes: [[Int]]) -> SparseMatrix {
    let triplets = likes.enumerated().flatMap { u, row in row.map { (row: u, column: $0, value: 1.0) } }
    return try! SparseMatrix(rows: likes.count, columns: items, triplets: triplets)
}

/// Uniform values in [-1, 1) from a seed.
func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var rng = SplitMix64(seed: seed)
    return Matrix(rows: rows, columns: columns) { _, _ in Double(rng.next() >> 11) / Double(1 << 52) - 1 }
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

func maxAbs(_ m: Matrix) -> Double { m.storage.map(abs).max() ?? 0 }
