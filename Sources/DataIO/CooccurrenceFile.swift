import Foundation
import LinearAlgebra

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
