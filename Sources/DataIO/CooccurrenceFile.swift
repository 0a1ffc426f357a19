import Foundation
import LinearAlgebra

/// A co-occurrence matrix X as read from disk: dense or sparse, whichever the file holds, so
/// solvers can pick the matching operator without densifying a large sparse X.
public enum CooccurrenceMatrix: Sendable, Equatable {
    case dense(Matrix)
    case sparse(SparseMatrix)

    /// The dimension n of the n × n matrix.
    public var dimension: Int {
        switch self {
        case let .dense(m): return m.rows
        case let .sparse(m): return m.rows
        }
    }
}

/// One entry point for a user-supplied X, so every format gets the same checks before a solver
/// sees it (a solver fed an asymmetric or NaN matrix fails far from the cause).
public enum CooccurrenceFile {
    /// Reads X by extension — `.npy` and `.csv` dense, `.mtx` sparse (or dense for Matrix
    /// Market `array` files) — and checks that it is non-empty, square, finite and symmetric:
    /// `|x_ij − x_ji| ≤ symmetryTolerance · max(1, max |x_ij|)`.
    public static func load(_ url: URL, symmetryTolerance: Double = 1e-9) throws(DataIOError) -> CooccurrenceMatrix {
        let file = url.path
        let content: CooccurrenceMatrix
        switch url.pathExtension.lowercased() {
        case "npy": content = .dense(try NPY.read(url))
        case "csv": content = .dense(try DenseMatrixCSV.read(url))
        case "mtx":
            switch try MatrixMarket.parse(FileBytes.read(url), file: file, value: { v, _ throws(DataIOError) in v }) {
            case let .dense(m): content = .dense(m)
            case let .sparse(m): content = .sparse(m)
            }
        default:
            throw .invalidContent(file: file, problem: "unknown extension '.\(url.pathExtension)': expected .npy, .csv or .mtx")
        }
        try validate(content, file: file, symmetryTolerance: symmetryTolerance)
        return content
    }

    /// The checks `load` applies, for matrices obtained some other way.
    public static func validate(_ x: CooccurrenceMatrix, file: String, symmetryTolerance: Double = 1e-9) throws(DataIOError) {
        let rows: Int, columns: Int
        switch x {
        case let .dense(m): (rows, columns) = (m.rows, m.columns)
        case let .sparse(m): (rows, columns) = (m.rows, m.columns)
        }
        guard rows > 0, columns > 0 else {
            throw .invalidContent(file: file, problem: "matrix is empty (\(rows)×\(columns))")
        }
        guard rows == columns else {
            throw .invalidContent(file: file, problem: "co-occurrence matrix must be square, found \(rows)×\(columns)")
        }
        var scale = 0.0
        var worst = (asymmetry: 0.0, i: 0, j: 0)
        switch x {
        case let .dense(m):
            for j in 0..<columns {
                for i in 0..<rows {
                    let v = m[i, j]
                    guard v.isFinite else {
                        throw .invalidContent(file: file, problem: "entry (\(i + 1), \(j + 1)) is \(v); all entries must be finite")
                    }
                    scale = max(scale, abs(v))
                    if i < j {
                        let d = abs(v - m[j, i])
                        if d > worst.asymmetry { worst = (d, i, j) }
                    }
                }
            }
        case let .sparse(m):
            for r in 0..<rows {
                for k in m.rowPointers[r]..<m.rowPointers[r + 1] {
                    let v = m.values[k]
                    let c = Int(m.columnIndices[k])
                    guard v.isFinite else {
                        throw .invalidContent(file: file, problem: "entry (\(r + 1), \(c + 1)) is \(v); all entries must be finite")
                    }
                    scale = max(scale, abs(v))
                    // Checking every stored entry against its mirror covers entries whose mirror is absent.
                    let d = abs(v - m[c, r])
                    if d > worst.asymmetry { worst = (d, min(r, c), max(r, c)) }
                }
            }
        }
        let allowed = symmetryTolerance * max(1, scale)
        guard worst.asymmetry <= allowed else {
            throw .invalidContent(file: file, problem: """
                matrix is not symmetric: |x(\(worst.i + 1),\(worst.j + 1)) − x(\(worst.j + 1),\(worst.i + 1))| = \(worst.asymmetry) \
                exceeds the tolerance \(symmetryTolerance) × max(1, max|x|) = \(allowed)
                """)
        }
    }
}

/// An interaction matrix S given directly (users × items), for data that is not a ratings file:
/// a SciPy sparse `.npz` (`scipy.sparse.save_npz`: CSR, CSC or COO) or a Matrix Market
/// coordinate `.mtx` (`integer`, `real` or `pattern`).
public enum InteractionFile {
    /// Reads S. Without `likeThreshold` the entries are counts: each must be a non-negative
    /// integer (booleans are 0/1) and any positive entry is a like. With `likeThreshold` the
    /// entries are ratings: any finite value, a like when at least the threshold. Either way S is
    /// binary; duplicate coordinates count once and zeros are dropped. Users and items get ids
    /// from the file's own indexing: 1…n for `.mtx`, 0…n−1 for `.npz`. There are no titles.
    public static func load(_ url: URL, likeThreshold: Double? = nil) throws(DataIOError) -> Interactions {
        let file = url.path
        if let likeThreshold, !likeThreshold.isFinite {
            throw .invalidContent(file: file, problem: "like threshold \(likeThreshold) is not a finite number")
        }
        var entries = 0
        let raw: SparseMatrix
        switch url.pathExtension.lowercased() {
        case "mtx":
            let content = try MatrixMarket.parse(FileBytes.read(url), file: file) { v, line throws(DataIOError) in
                entries += 1
                return try like(v, threshold: likeThreshold) { problem throws(DataIOError) in
                    throw .malformed(file: file, line: line, problem: problem)
                }
            }
            guard case let .sparse(m) = content else {
                throw .invalidContent(file: file, problem: "interaction matrices must be 'coordinate' Matrix Market files, not 'array'")
            }
            raw = m
        case "npz":
            raw = try SparseNPZ.read(url) { v, k throws(DataIOError) in
                entries += 1
                return try like(v, threshold: likeThreshold) { problem throws(DataIOError) in
                    throw .invalidContent(file: file, problem: "data[\(k)]: \(problem)")
                }
            }
        default:
            throw .invalidContent(file: file, problem: "interaction matrices must be SciPy sparse .npz or Matrix Market coordinate .mtx files, not '.\(url.pathExtension)'")
        }
        guard raw.rows > 0, raw.columns > 0 else {
            throw .invalidContent(file: file, problem: "interaction matrix is empty (\(raw.rows)×\(raw.columns))")
        }
        // Likes were mapped to 1 and the rest to 0 entry by entry; duplicates summed since, so
        // any positive sum is a like.
        var pointers = [0]
        var columns: [Int32] = []
        pointers.reserveCapacity(raw.rows + 1)
        columns.reserveCapacity(raw.nonzeroCount)
        for r in 0..<raw.rows {
            for k in raw.rowPointers[r]..<raw.rowPointers[r + 1] where raw.values[k] > 0 {
                columns.append(raw.columnIndices[k])
            }
            pointers.append(columns.count)
        }
        let s = try! SparseMatrix(rows: raw.rows, columns: raw.columns, rowPointers: pointers, columnIndices: columns,
                                  values: [Double](repeating: 1, count: columns.count))
        let base = url.pathExtension.lowercased() == "mtx" ? 1 : 0
        return Interactions(matrix: s, userIDs: Array(base..<(base + raw.rows)), itemIDs: Array(base..<(base + raw.columns)),
                            titles: nil, likeThreshold: likeThreshold ?? 1, ratingCount: entries, source: file)
    }

    /// 1 for a like, 0 otherwise; `fail` for a value the rule does not allow.
    @inline(__always)
    static func like(_ v: Double, threshold: Double?, fail: (String) throws(DataIOError) -> Never) throws(DataIOError) -> Double {
        if let threshold {
            guard v.isFinite else { try fail("rating \(v) is not a finite number") }
            return v >= threshold ? 1 : 0
        }
        guard v.isFinite, v >= 0, v.rounded() == v else { try fail("interaction count \(v) is not a non-negative integer") }
        return v > 0 ? 1 : 0
    }
}
