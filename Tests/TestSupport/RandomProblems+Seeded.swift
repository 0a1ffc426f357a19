import LinearAlgebra
import Solvers

/// The solver tests' problems, drawn from a seed with the solvers' own `SeededGenerator` (so a
/// problem is the same one those tests always used; those in RandomProblems.swift take a `SplitMix64`).
extension RandomProblems {
    /// A random 0/1 interaction matrix with `users × items` and like probability `density`.
    /// Row 0 is empty, row 1 has a single like, column 0 has no likes (edge cases on purpose).
    public static func interactions(users: Int, items: Int, density: Double, seed: UInt64) -> SparseMatrix {
        var rng = SeededGenerator(seed: seed)
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<users {
            if u == 0 { continue }
            if u == 1 { triplets.append((u, items - 1, 1)); continue }
            for i in 1..<items where rng.nextUniform() < density { triplets.append((u, i, 1)) }
        }
        return try! SparseMatrix(rows: users, columns: items, triplets: triplets)
    }

    public static func gaussian(rows: Int, columns: Int, scale: Double = 1, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        return Matrix(rows: rows, columns: columns) { _, _ in scale * rng.nextGaussian() }
    }

    /// A random symmetric dense matrix.
    public static func symmetric(_ n: Int, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        var a = Matrix(rows: n, columns: n)
        for j in 0..<n { for i in 0...j { let x = rng.nextGaussian(); a[i, j] = x; a[j, i] = x } }
        return a
    }

    /// A planted problem X = V★V★ᵀ + diag(arbitrary): its masked loss is 0 at V★.
    public static func planted(items: Int, rank: Int, seed: UInt64) -> (x: Matrix, truth: Matrix) {
        var rng = SeededGenerator(seed: seed)
        let v = Matrix(rows: items, columns: rank) { _, _ in rng.nextGaussian() }
        var x = BLAS.multiply(v, .none, v, .transpose)
        for i in 0..<items { x[i, i] = 5 * rng.nextUniform() - 1 } // unrelated diagonal
        return (x, v)
    }
}
