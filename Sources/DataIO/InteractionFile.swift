import Foundation
import LinearAlgebra

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
