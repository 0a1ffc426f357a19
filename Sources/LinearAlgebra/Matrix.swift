import Foundation

/// A dense matrix of `Double` in **column-major** order (LAPACK's convention).
///
/// Element `(i, j)` lives at `storage[i + j * rows]`. Column-major is chosen because every
/// native routine the suite calls (BLAS, LAPACK, ARPACK) works on columns, and because the
/// eigenvectors the solvers produce are columns. An embedding `V` is stored as an `M × D` matrix
/// whose row `i` is item `i`'s vector; writers that need C order (`.npy`) transpose on output.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var storage: [Double]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = [Double](repeating: value, count: rows * columns)
    }

    /// Wraps column-major storage.
    public init(rows: Int, columns: Int, columnMajor storage: [Double]) {
        precondition(storage.count == rows * columns, "storage has \(storage.count) elements, expected \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Builds a matrix from row-major storage (C order), transposing into column-major.
    public init(rows: Int, columns: Int, rowMajor values: [Double]) {
        precondition(values.count == rows * columns, "storage has \(values.count) elements, expected \(rows * columns)")
        var m = Matrix(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns { m.storage[i + j * rows] = values[i * columns + j] }
        }
        self = m
    }

    /// Builds a matrix from nested rows: `Matrix([[1, 2], [3, 4]])`.
    public init(_ rowsArray: [[Double]]) {
        let r = rowsArray.count
        let c = rowsArray.first?.count ?? 0
        precondition(rowsArray.allSatisfy { $0.count == c }, "all rows must have the same length")
        self.init(rows: r, columns: c, rowMajor: rowsArray.flatMap { $0 })
    }

    /// Builds a matrix by evaluating `f(i, j)` for every element.
    public init(rows: Int, columns: Int, _ f: (Int, Int) throws -> Double) rethrows {
        var s = [Double](repeating: 0, count: rows * columns)
        for j in 0..<columns {
            for i in 0..<rows { s[i + j * rows] = try f(i, j) }
        }
        self.init(rows: rows, columns: columns, columnMajor: s)
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i + i * n] = 1 }
        return m
    }

    public var count: Int { storage.count }
    public var isSquare: Bool { rows == columns }

    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i + j * rows] }
        set { storage[i + j * rows] = newValue }
    }

    /// Column `j` as a new array.
    public func column(_ j: Int) -> [Double] {
        Array(storage[(j * rows)..<((j + 1) * rows)])
    }

    /// Row `i` as a new array.
    public func row(_ i: Int) -> [Double] {
        (0..<columns).map { storage[i + $0 * rows] }
    }

    /// The transpose (a copy).
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        storage.withUnsafeBufferPointer { src in
            t.storage.withUnsafeMutableBufferPointer { dst in
                for j in 0..<columns {
                    for i in 0..<rows { dst[j + i * columns] = src[i + j * rows] }
                }
            }
        }
        return t
    }

    /// The elements in row-major (C) order.
    public var rowMajorStorage: [Double] { transposed.storage }

    /// Columns `range` as a new matrix.
    public func columns(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= columns)
        return Matrix(rows: rows, columns: range.count,
                      columnMajor: Array(storage[(range.lowerBound * rows)..<(range.upperBound * rows)]))
    }

    /// Squared Euclidean norm of every row (`‖v_i‖²` for an embedding).
    public var rowNormsSquared: [Double] {
        var out = [Double](repeating: 0, count: rows)
        storage.withUnsafeBufferPointer { s in
            for j in 0..<columns {
                let base = j * rows
                for i in 0..<rows { out[i] += s[base + i] * s[base + i] }
            }
        }
        return out
    }

    /// Squared Frobenius norm, accumulated with compensated (Neumaier) summation.
    public var frobeniusNormSquared: Double {
        var sum = CompensatedSum()
        for x in storage { sum.add(x * x) }
        return sum.value
    }

    /// True when every element is finite.
    public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }

    /// The largest `|a_ij − a_ji|` (0 for a symmetric matrix).
    public var maxAsymmetry: Double {
        precondition(isSquare)
        var worst = 0.0
        for j in 0..<columns {
            for i in 0..<j { worst = max(worst, abs(self[i, j] - self[j, i])) }
        }
        return worst
    }

    /// The diagonal of a square matrix.
    public var diagonal: [Double] {
        (0..<min(rows, columns)).map { self[$0, $0] }
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let shown = (0..<min(rows, 8)).map { i in
            (0..<min(columns, 8)).map { j in String(format: "%.6g", self[i, j]) }.joined(separator: " ")
        }
        return "Matrix(\(rows)×\(columns))\n" + shown.joined(separator: "\n")
    }
}
