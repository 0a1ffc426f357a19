import Foundation
import LinearAlgebra

/// Small deterministic random problems shared by the test targets. Everything takes the
/// generator explicitly so each test owns its seed.
public enum RandomProblems {
    /// A `rows × columns` matrix with independent standard normal entries.
    public static func gaussianMatrix(rows: Int, columns: Int, using rng: inout SplitMix64) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for i in m.storage.indices { m.storage[i] = rng.nextGaussian() }
        return m
    }

    /// A dense symmetric matrix `(G + Gᵀ)/2` with G Gaussian (a GOE-like spectrum, exactly symmetric).
    public static func symmetricMatrix(_ n: Int, using rng: inout SplitMix64) -> Matrix {
        let g = gaussianMatrix(rows: n, columns: n, using: &rng)
        return Matrix(rows: n, columns: n) { i, j in 0.5 * (g[i, j] + g[j, i]) }
    }

    /// A symmetric matrix `Q·diag(spectrum)·Qᵀ` with a random orthogonal Q, so tests can choose
    /// the eigenvalues (and their gaps) exactly.
    public static func matrixWithSpectrum(_ spectrum: [Double], using rng: inout SplitMix64) throws -> Matrix {
        let n = spectrum.count
        let q = try LAPACK.orthonormalize(gaussianMatrix(rows: n, columns: n, using: &rng))
        var qd = q
        for j in 0..<n {
            for i in 0..<n { qd[i, j] *= spectrum[j] }
        }
        let a = BLAS.multiply(qd, .none, q, .transpose)
        return Matrix(rows: n, columns: n) { i, j in 0.5 * (a[i, j] + a[j, i]) }
    }

    /// A symmetric sparse matrix (both triangles stored) with about `density·n²` entries, values
    /// uniform in [−1, 1), including some diagonal entries.
    public static func symmetricSparse(_ n: Int, density: Double, using rng: inout SplitMix64) throws -> SparseMatrix {
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for i in 0..<n {
            for j in i..<n where Double(rng.next() >> 11) * 0x1.0p-53 < density {
                let v = rng.nextSigned()
                triplets.append((i, j, v))
                if i != j { triplets.append((j, i, v)) }
            }
        }
        return try SparseMatrix(rows: n, columns: n, triplets: triplets)
    }

    /// A 0/1 interaction matrix (users × items) with each entry set with probability `density`,
    /// then `emptyRows` rows and `emptyColumns` columns (the first ones) cleared, because real
    /// data has users and items without interactions and code must survive them.
    public static func binarySparse(rows: Int, columns: Int, density: Double, emptyRows: Int = 0, emptyColumns: Int = 0,
                                    using rng: inout SplitMix64) throws -> SparseMatrix {
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for i in emptyRows..<rows {
            for j in emptyColumns..<columns where Double(rng.next() >> 11) * 0x1.0p-53 < density {
                triplets.append((i, j, 1))
            }
        }
        return try SparseMatrix(rows: rows, columns: columns, triplets: triplets)
    }
}

extension RandomProblems {
    /// `binarySparse` from a fresh generator seeded with `seed`.
    public static func binarySparse(rows: Int, columns: Int, density: Double, seed: UInt64) -> SparseMatrix {
        var rng = SplitMix64(seed: seed)
        // Cannot throw: every triplet is inside the shape.
        return try! binarySparse(rows: rows, columns: columns, density: density, using: &rng)
    }

    /// 10–39 users × 5–19 items whose weights span seven decades (1 … 10⁶, a third of the entries
    /// set) plus two likes of user 0: the implicit loss's worst case for cancellation.
    public static func widelyWeightedInteractions(using rng: inout SplitMix64) -> SparseMatrix {
        let users = 10 + Int(rng.next() % 30), items = 5 + Int(rng.next() % 15)
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<users { for i in 0..<items where rng.next() % 3 == 0 { triplets.append((u, i, pow(10, Double(rng.next() % 7)))) } }
        triplets.append((0, 0, 1)); triplets.append((0, 1, 1))
        // Cannot throw: every triplet is inside the shape.
        return try! SparseMatrix(rows: users, columns: items, triplets: triplets)
    }

    /// A `rows × columns` matrix with entries uniform in [−1, 1), from `seed`.
    public static func signedMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var rng = SplitMix64(seed: seed)
        return Matrix(rows: rows, columns: columns) { _, _ in rng.nextSigned() }
    }
}
