import Dispatch
import Foundation

/// A compressed sparse row (CSR) matrix of `Double`: the interaction matrix S (users × items)
/// and sparse co-occurrence matrices X.
///
/// Row `r`'s entries are `columnIndices[rowPointers[r]..<rowPointers[r+1]]` with matching
/// `values`, column indices strictly increasing within a row (duplicates are summed on build).
public struct SparseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public let rowPointers: [Int]
    public let columnIndices: [Int32]
    public let values: [Double]

    public var nonzeroCount: Int { columnIndices.count }

    /// Wraps CSR arrays, checking their invariants.
    public init(rows: Int, columns: Int, rowPointers: [Int], columnIndices: [Int32], values: [Double]) throws {
        guard rowPointers.count == rows + 1, rowPointers.first == 0, rowPointers.last == columnIndices.count,
              values.count == columnIndices.count else {
            throw LinearAlgebraError.invalidArgument("CSR arrays are inconsistent")
        }
        for r in 0..<rows {
            guard rowPointers[r] <= rowPointers[r + 1] else {
                throw LinearAlgebraError.invalidArgument("CSR row pointers decrease at row \(r)")
            }
            var previous = -1
            for k in rowPointers[r]..<rowPointers[r + 1] {
                let c = Int(columnIndices[k])
                guard c > previous, c < columns else {
                    throw LinearAlgebraError.invalidArgument("CSR column index \(c) in row \(r) is out of range or not increasing")
                }
                previous = c
            }
        }
        self.rows = rows
        self.columns = columns
        self.rowPointers = rowPointers
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Builds from coordinate triplets; duplicate `(row, column)` entries are summed.
    public init(rows: Int, columns: Int, triplets: [(row: Int, column: Int, value: Double)]) throws {
        var counts = [Int](repeating: 0, count: rows + 1)
        for t in triplets {
            guard t.row >= 0, t.row < rows, t.column >= 0, t.column < columns else {
                throw LinearAlgebraError.invalidArgument("entry (\(t.row), \(t.column)) outside \(rows)×\(columns)")
            }
            counts[t.row + 1] += 1
        }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var next = counts
        var cols = [Int32](repeating: 0, count: triplets.count)
        var vals = [Double](repeating: 0, count: triplets.count)
        for t in triplets {
            cols[next[t.row]] = Int32(t.column)
            vals[next[t.row]] = t.value
            next[t.row] += 1
        }
        // Sort each row by column and merge duplicates.
        var outPointers = [Int](repeating: 0, count: rows + 1)
        var outCols: [Int32] = []
        var outVals: [Double] = []
        outCols.reserveCapacity(triplets.count)
        outVals.reserveCapacity(triplets.count)
        for r in 0..<rows {
            let range = counts[r]..<counts[r + 1]
            let order = range.sorted { cols[$0] < cols[$1] }
            for k in order {
                if let last = outCols.last, outCols.count > outPointers[r], last == cols[k] {
                    outVals[outVals.count - 1] += vals[k]
                } else {
                    outCols.append(cols[k])
                    outVals.append(vals[k])
                }
            }
            outPointers[r + 1] = outCols.count
        }
        try self.init(rows: rows, columns: columns, rowPointers: outPointers, columnIndices: outCols, values: outVals)
    }

    /// Entry `(i, j)` (binary search within the row).
    public subscript(i: Int, j: Int) -> Double {
        var lo = rowPointers[i], hi = rowPointers[i + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = Int(columnIndices[mid])
            if c == j { return values[mid] }
            if c < j { lo = mid + 1 } else { hi = mid }
        }
        return 0
    }

    /// The transpose, in CSR (equivalently, this matrix in CSC).
    public var transposed: SparseMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { counts[Int(c) + 1] += 1 }
        for c in 0..<columns { counts[c + 1] += counts[c] }
        var next = counts
        var cols = [Int32](repeating: 0, count: nonzeroCount)
        var vals = [Double](repeating: 0, count: nonzeroCount)
        for r in 0..<rows {
            for k in rowPointers[r]..<rowPointers[r + 1] {
                let c = Int(columnIndices[k])
                cols[next[c]] = Int32(r)
                vals[next[c]] = values[k]
                next[c] += 1
            }
        }
        // Rows of the transpose are filled in increasing original-row order, so they are sorted.
        return try! SparseMatrix(rows: columns, columns: rows, rowPointers: counts, columnIndices: cols, values: vals)
    }

    /// The dense equivalent (tests and small problems only).
    public var dense: Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for r in 0..<rows {
            for k in rowPointers[r]..<rowPointers[r + 1] { m[r, Int(columnIndices[k])] = values[k] }
        }
        return m
    }

    /// Number of stored entries per row.
    public var rowCounts: [Int] { (0..<rows).map { rowPointers[$0 + 1] - rowPointers[$0] } }

    /// Column sums (for a binary S: likes per item).
    public var columnSums: [Double] {
        var s = [Double](repeating: 0, count: columns)
        for k in 0..<nonzeroCount { s[Int(columnIndices[k])] += values[k] }
        return s
    }

    /// True when the matrix equals its transpose within `tolerance` (square only).
    public func isSymmetric(tolerance: Double = 0) -> Bool {
        guard rows == columns else { return false }
        let t = transposed
        guard t.rowPointers == rowPointers, t.columnIndices == columnIndices else {
            // Structure differs: compare values through the dense-free lookup.
            for r in 0..<rows {
                for k in rowPointers[r]..<rowPointers[r + 1] where abs(values[k] - self[Int(columnIndices[k]), r]) > tolerance {
                    return false
                }
            }
            for r in 0..<rows {
                for k in t.rowPointers[r]..<t.rowPointers[r + 1] where abs(t.values[k] - self[r, Int(t.columnIndices[k])]) > tolerance {
                    return false
                }
            }
            return true
        }
        return zip(t.values, values).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// Work below this many multiply-adds runs on one thread: waking a second costs more.
    static let parallelThreshold = 200_000

    /// Splits `0..<n` into one contiguous chunk per core and runs `body` on each concurrently.
    static func parallelChunks(_ n: Int, work: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = work < parallelThreshold ? 1 : min(n, ProcessInfoCores.count)
        if chunks <= 1 { body(0..<n); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body((c * n / chunks)..<((c + 1) * n / chunks))
        }
    }

    /// `self · B` (`rows × B.columns`), parallel over column blocks of B (each independent).
    public func multiply(_ b: Matrix) -> Matrix {
        precondition(b.rows == columns, "sparse multiply: \(rows)×\(columns) by \(b.rows)×\(b.columns)")
        var out = Matrix(rows: rows, columns: b.columns)
        multiply(b, into: &out)
        return out
    }

    /// out ← self · B. Four columns of B per pass over the row pointers and indices (they are read
    /// B.columns/4 times instead of B.columns times); each entry is the same sum in the same order.
    public func multiply(_ b: Matrix, into out: inout Matrix) {
        precondition(b.rows == columns && out.rows == rows && out.columns == b.columns)
        let n = rows, m = columns
        let groups = (b.columns + 3) / 4
        let width = b.columns
        if out.count == 0 { return }
        if nonzeroCount == 0 { out.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }; return }
        rowPointers.withUnsafeBufferPointer { rp in
        columnIndices.withUnsafeBufferPointer { ci in
        values.withUnsafeBufferPointer { vs in
        b.storage.withUnsafeBufferPointer { bs in
        out.storage.withUnsafeMutableBufferPointer { os in
            let (rp, ci, vs, bs, os) = (SharedPointer(rp), SharedPointer(ci), SharedPointer(vs), SharedPointer(bs), SharedPointer(os))
            SparseMatrix.parallelChunks(groups, work: nonzeroCount * b.columns) { chunk in
                let rp = rp.value.baseAddress!, ci = ci.value.baseAddress!, vs = vs.value.baseAddress!
                for g in chunk {
                    let d0 = 4 * g
                    let p0 = bs.value.baseAddress! + d0 * m, o0 = os.value.baseAddress! + d0 * n
                    if width - d0 >= 4 {
                        let p1 = p0 + m, p2 = p1 + m, p3 = p2 + m
                        let o1 = o0 + n, o2 = o1 + n, o3 = o2 + n
                        for r in 0..<n {
                            var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
                            for k in rp[r]..<rp[r + 1] {
                                let c = Int(ci[k]), w = vs[k]
                                a0 += w * p0[c]; a1 += w * p1[c]; a2 += w * p2[c]; a3 += w * p3[c]
                            }
                            o0[r] = a0; o1[r] = a1; o2[r] = a2; o3[r] = a3
                        }
                    } else {
                        for j in 0..<(width - d0) {
                            let p = p0 + j * m, o = o0 + j * n
                            for r in 0..<n {
                                var a = 0.0
                                for k in rp[r]..<rp[r + 1] { a += vs[k] * p[Int(ci[k])] }
                                o[r] = a
                            }
                        }
                    }
                }
            }
        }}}}}
    }

    /// `selfᵀ · B` (`columns × B.columns`) without forming the transpose, parallel over column blocks.
    public func transposeMultiply(_ b: Matrix) -> Matrix {
        var out = Matrix(rows: columns, columns: b.columns)
        transposeMultiply(b, into: &out)
        return out
    }

    /// out ← selfᵀ · B.
    public func transposeMultiply(_ b: Matrix, into out: inout Matrix) {
        precondition(b.rows == rows && out.rows == columns && out.columns == b.columns,
                     "sparse transpose-multiply: (\(rows)×\(columns))ᵀ by \(b.rows)×\(b.columns)")
        let n = rows, m = columns
        rowPointers.withUnsafeBufferPointer { rp in
        columnIndices.withUnsafeBufferPointer { ci in
        values.withUnsafeBufferPointer { vs in
        b.storage.withUnsafeBufferPointer { bs in
        out.storage.withUnsafeMutableBufferPointer { os in
            let (rp, ci, vs, bs, os) = (SharedPointer(rp), SharedPointer(ci), SharedPointer(vs), SharedPointer(bs), SharedPointer(os))
            SparseMatrix.parallelChunks(b.columns, work: nonzeroCount * b.columns) { cols in
                for d in cols {
                    let bcol = bs.value.baseAddress! + d * n
                    let ocol = os.value.baseAddress! + d * m
                    ocol.update(repeating: 0, count: m)
                    for r in 0..<n {
                        let x = bcol[r]
                        if x == 0 { continue }
                        for k in rp.value[r]..<rp.value[r + 1] { ocol[Int(ci.value[k])] += vs.value[k] * x }
                    }
                }
            }
        }}}}}
    }
}
