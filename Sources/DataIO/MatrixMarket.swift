import Foundation
import LinearAlgebra

/// NIST Matrix Market text files: the common exchange format for sparse matrices (SciPy's
/// `scipy.io.mmread/mmwrite`, MATLAB, Julia). Coordinate files become `SparseMatrix`; `array`
/// files become a dense `Matrix`.
public enum MatrixMarket {
    /// How entries are stored.
    public enum Format: String, Sendable { case coordinate, array }
    /// The value type of entries (`pattern` entries have no value and read as 1).
    public enum Field: String, Sendable { case real, integer, pattern }
    /// `symmetric` files store only the lower triangle (row ≥ column).
    public enum Symmetry: String, Sendable { case general, symmetric }

    /// The banner line's contents.
    public struct Header: Sendable, Equatable {
        public var format: Format
        public var field: Field
        public var symmetry: Symmetry
    }

    /// Reads a coordinate file. Symmetric files are expanded to both triangles (each diagonal
    /// entry once); repeated coordinates are summed, as SciPy does.
    public static func read(_ url: URL) throws(DataIOError) -> SparseMatrix {
        let bytes = try FileBytes.read(url)
        switch try parse(bytes, file: url.path, value: { v, _ throws(DataIOError) in v }) {
        case let .sparse(m): return m
        case .dense:
            throw .invalidContent(file: url.path, problem: "this is an 'array' (dense) Matrix Market file; read it with MatrixMarket.readArray")
        }
    }

    /// Reads an `array` (dense, column-major) file; symmetric arrays list the lower triangle.
    public static func readArray(_ url: URL) throws(DataIOError) -> Matrix {
        let bytes = try FileBytes.read(url)
        switch try parse(bytes, file: url.path, value: { v, _ throws(DataIOError) in v }) {
        case let .dense(m): return m
        case .sparse:
            throw .invalidContent(file: url.path, problem: "this is a 'coordinate' (sparse) Matrix Market file; read it with MatrixMarket.read")
        }
    }

    /// Writes `matrix` as `coordinate real general`, or with `symmetric: true` as `coordinate
    /// real symmetric` listing only the lower triangle (the matrix must then be exactly
    /// symmetric). Values use the shortest round-trip decimal form. Atomic.
    public static func write(_ matrix: SparseMatrix, to url: URL, symmetric: Bool = false) throws(DataIOError) {
        if symmetric {
            guard matrix.isSymmetric(tolerance: 0) else {
                throw .invalidContent(file: url.path, problem: "cannot write a non-symmetric matrix as Matrix Market 'symmetric'")
            }
        }
        var count = 0
        for r in 0..<matrix.rows {
            for k in matrix.rowPointers[r]..<matrix.rowPointers[r + 1] where !symmetric || Int(matrix.columnIndices[k]) <= r {
                count += 1
            }
        }
        let banner = "%%MatrixMarket matrix coordinate real \(symmetric ? "symmetric" : "general")\n"
        try writeAtomically(url) { out in
            out.write(banner)
            out.write("\(matrix.rows) \(matrix.columns) \(count)\n")
            for r in 0..<matrix.rows {
                for k in matrix.rowPointers[r]..<matrix.rowPointers[r + 1] {
                    let c = Int(matrix.columnIndices[k])
                    if symmetric && c > r { continue }
                    out.write("\(r + 1) \(c + 1) \(TextFormat.number(matrix.values[k]))\n")
                }
            }
        }
    }

    /// Writes a dense matrix as `array real general` (column-major, one value per line). Atomic.
    public static func write(_ matrix: Matrix, to url: URL) throws(DataIOError) {
        try writeAtomically(url) { out in
            out.write("%%MatrixMarket matrix array real general\n")
            out.write("\(matrix.rows) \(matrix.columns)\n")
            for x in matrix.storage { out.write(TextFormat.number(x) + "\n") }
        }
    }

    static func writeAtomically(_ url: URL, _ body: (inout AtomicFile.Writer) -> Void) throws(DataIOError) {
        do {
            try AtomicFile.write(to: url) { out in body(&out) }
        } catch let error as DataIOError {
            throw error
        } catch {
            throw .writeFailed(file: url.path, reason: "\(error)")
        }
    }

    // MARK: - Parsing

    enum Content {
        case sparse(SparseMatrix)
        case dense(Matrix)
    }

    /// Parses the banner on the first line.
    static func parseHeader(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, file: String) throws(DataIOError) -> Header {
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
        let usage = "expected '%%MatrixMarket matrix coordinate|array real|integer|pattern general|symmetric'"
        guard words.count == 5, words[0] == "%%matrixmarket", words[1] == "matrix" else {
            throw .malformed(file: file, line: 1, problem: "bad header \"\(text)\": \(usage)")
        }
        guard let format = Format(rawValue: words[2]) else {
            throw .malformed(file: file, line: 1, problem: "unsupported format '\(words[2])': \(usage)")
        }
        let field: Field
        switch words[3] {
        case "real", "double": field = .real
        case "integer": field = .integer
        case "pattern": field = .pattern
        default: throw .malformed(file: file, line: 1, problem: "unsupported field '\(words[3])' (complex values are not supported): \(usage)")
        }
        guard let symmetry = Symmetry(rawValue: words[4]) else {
            throw .malformed(file: file, line: 1, problem: "unsupported symmetry '\(words[4])': \(usage)")
        }
        if format == .array && field == .pattern {
            throw .malformed(file: file, line: 1, problem: "'pattern' is only valid for coordinate files")
        }
        return Header(format: format, field: field, symmetry: symmetry)
    }

    /// Reads the whole file. `value` sees each entry's value and line and may reject or change
    /// it (the interaction reader requires non-negative integer counts).
    static func parse(_ bytes: [UInt8], file: String,
                      value check: (Double, Int) throws(DataIOError) -> Double) throws(DataIOError) -> Content {
        let result: Result<Content, DataIOError> = bytes.withUnsafeBufferPointer { p in
            do throws(DataIOError) {
                return .success(try parse(p, file: file, value: check))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// What the lines before the entries say: the banner, the sizes and where the entries start.
    struct Preamble {
        var header: Header
        var rows: Int
        var columns: Int
        /// Entries the size line declares (coordinate files).
        var declared: Int
        var sizeLine: Int
        /// Byte position just after the size line.
        var dataStart: Int
        /// Fields per entry line: row, column and, unless the field is `pattern`, the value.
        var tokenCount: Int { header.field == .pattern ? 2 : 3 }
    }

    /// The banner, comments and size line, read from `lines` (left just after the size line).
    /// `readers`: how many processes share the entries (the memory check counts one share).
    static func preamble(_ p: UnsafeBufferPointer<UInt8>, _ lines: inout LineScanner, file: String,
                         readers: Int = 1) throws(DataIOError) -> Preamble {
        guard let first = lines.next() else { throw .invalidContent(file: file, problem: "empty file: expected a %%MatrixMarket header") }
        let header = try parseHeader(p, first.start, first.end, file: file)

        // Size line: first line that is neither a comment nor blank.
        var sizeLine: (line: Int, start: Int, end: Int)?
        while let l = lines.next() {
            if l.start < l.end, p[l.start] == ASCII.percent { continue }
            if LineScanner.isBlank(p, l.start, l.end) { continue }
            sizeLine = l
            break
        }
        guard let sizeLine else { throw .malformed(file: file, line: lines.lineNumber, problem: "missing size line") }
        let sizeTokens = LineScanner.tokens(p, sizeLine.start, sizeLine.end)
        let expected = header.format == .coordinate ? 3 : 2
        let sizes = sizeTokens.compactMap { ByteNumber.parseInt(p, $0.start, $0.end) }
        guard sizeTokens.count == expected, sizes.count == expected, sizes.allSatisfy({ $0 >= 0 }), sizes[0] <= Int(Int32.max), sizes[1] <= Int(Int32.max) else {
            let shape = header.format == .coordinate ? "rows columns entries" : "rows columns"
            throw .malformed(file: file, line: sizeLine.line,
                             problem: "bad size line \(TextFormat.excerpt(p, sizeLine.start, sizeLine.end)): expected \(expected) non-negative integers (\(shape))")
        }
        let rows = sizes[0], columns = sizes[1]
        if header.symmetry == .symmetric && rows != columns {
            throw .malformed(file: file, line: sizeLine.line, problem: "a symmetric matrix must be square, size line says \(rows)×\(columns)")
        }

        // A declared size is a promise of memory: refuse one that cannot fit before allocating
        // (a 3-line file declaring 2147483647 × 2147483647 once took 2.3 GB and aborted).
        let declaredBytes = header.format == .array
            ? 8 * Double(rows) * Double(columns) * (header.symmetry == .symmetric ? 1.5 : 1)
            : 32 * (Double(rows) + 1) + 48 * Double(sizes.count > 2 ? sizes[2] : 0) / Double(max(1, readers))
        do throws(MemoryLimit.Exceeded) {
            try MemoryLimit.check(declaredBytes, for: "the \(rows) × \(columns) matrix\(header.format == .coordinate ? " with \(sizes[2]) entries" : "") the size line (line \(sizeLine.line)) declares")
        } catch {
            throw .invalidContent(file: file, problem: error.description)
        }
        return Preamble(header: header, rows: rows, columns: columns, declared: sizes.count > 2 ? sizes[2] : 0,
                        sizeLine: sizeLine.line, dataStart: lines.position)
    }

    static func parseValue(_ p: UnsafeBufferPointer<UInt8>, _ t: (start: Int, end: Int), line: Int, field: Field, file: String,
                           check: (Double, Int) throws(DataIOError) -> Double) throws(DataIOError) -> Double {
        let v: Double?
        if field == .integer {
            v = ByteNumber.parseInt(p, t.start, t.end).map(Double.init)
        } else {
            v = ByteNumber.parseDouble(p, t.start, t.end)
        }
        guard let v else {
            throw .malformed(file: file, line: line,
                             problem: "value \(TextFormat.excerpt(p, t.start, t.end)) is not \(field == .integer ? "an integer" : "a number")")
        }
        return try check(v, line)
    }

    /// An entry line's fields (checked for their number), or nil for a comment or blank line.
    static func entryTokens(_ p: UnsafeBufferPointer<UInt8>, _ l: (line: Int, start: Int, end: Int), _ pre: Preamble,
                            file: String) throws(DataIOError) -> [(start: Int, end: Int)]? {
        if l.start < l.end, p[l.start] == ASCII.percent { return nil }
        if LineScanner.isBlank(p, l.start, l.end) { return nil }
        let tokens = LineScanner.tokens(p, l.start, l.end)
        guard tokens.count == pre.tokenCount else {
            throw .malformed(file: file, line: l.line,
                             problem: "expected \(pre.tokenCount) fields (row column\(pre.tokenCount == 3 ? " value" : "")), found \(tokens.count)")
        }
        return tokens
    }

    /// An entry's 0-based row and column and its value (after `check`).
    static func entry(_ p: UnsafeBufferPointer<UInt8>, _ tokens: [(start: Int, end: Int)], line: Int, _ pre: Preamble, file: String,
                      check: (Double, Int) throws(DataIOError) -> Double) throws(DataIOError) -> (row: Int, column: Int, value: Double) {
        guard let i = ByteNumber.parseInt(p, tokens[0].start, tokens[0].end),
              let j = ByteNumber.parseInt(p, tokens[1].start, tokens[1].end) else {
            throw .malformed(file: file, line: line, problem: "row and column must be integers")
        }
        guard i >= 1, i <= pre.rows, j >= 1, j <= pre.columns else {
            throw .malformed(file: file, line: line, problem: "index (\(i), \(j)) is outside the \(pre.rows)×\(pre.columns) matrix (indices are 1-based)")
        }
        if pre.header.symmetry == .symmetric && i < j {
            throw .malformed(file: file, line: line,
                             problem: "entry (\(i), \(j)) is above the diagonal; a symmetric file stores only the lower triangle")
        }
        let v = pre.tokenCount == 3 ? try parseValue(p, tokens[2], line: line, field: pre.header.field, file: file, check: check)
                                    : try check(1, line)
        return (i - 1, j - 1, v)
    }

    private static func parse(_ p: UnsafeBufferPointer<UInt8>, file: String,
                              value check: (Double, Int) throws(DataIOError) -> Double) throws(DataIOError) -> Content {
        var lines = LineScanner(p)
        let pre = try preamble(p, &lines, file: file)
        let (header, rows, columns, sizeLine) = (pre.header, pre.rows, pre.columns, pre.sizeLine)

        if header.format == .array {
            let count: Int
            if header.symmetry == .symmetric { count = rows * (rows + 1) / 2 } else { count = rows * columns }
            var values: [Double] = []
            values.reserveCapacity(min(count, p.count / 2)) // each value takes at least 2 bytes of the file
            while let l = lines.next() {
                if l.start < l.end, p[l.start] == ASCII.percent { continue }
                if LineScanner.isBlank(p, l.start, l.end) { continue }
                let tokens = LineScanner.tokens(p, l.start, l.end)
                guard tokens.count == 1 else {
                    throw .malformed(file: file, line: l.line, problem: "expected one value per line, found \(tokens.count)")
                }
                guard values.count < count else {
                    throw .malformed(file: file, line: l.line, problem: "more values than the \(count) the size line (line \(sizeLine)) declares")
                }
                values.append(try parseValue(p, tokens[0], line: l.line, field: header.field, file: file, check: check))
            }
            guard values.count == count else {
                throw .malformed(file: file, line: lines.lineNumber,
                                 problem: "file ends after \(values.count) of the \(count) values the size line (line \(sizeLine)) declares")
            }
            if header.symmetry == .general {
                return .dense(Matrix(rows: rows, columns: columns, columnMajor: values))
            }
            var m = Matrix(rows: rows, columns: rows)
            var k = 0
            for j in 0..<rows {
                for i in j..<rows {
                    m[i, j] = values[k]
                    m[j, i] = values[k]
                    k += 1
                }
            }
            return .dense(m)
        }

        let declared = pre.declared
        var triplets: [(row: Int, column: Int, value: Double)] = []
        triplets.reserveCapacity(min(declared, 1 << 24) * (header.symmetry == .symmetric ? 2 : 1))
        var seen = 0
        while let l = lines.next() {
            guard let tokens = try entryTokens(p, l, pre, file: file) else { continue }
            guard seen < declared else {
                throw .malformed(file: file, line: l.line, problem: "more entries than the \(declared) the size line (line \(sizeLine)) declares")
            }
            let (i, j, v) = try entry(p, tokens, line: l.line, pre, file: file, check: check)
            seen += 1
            triplets.append((i, j, v))
            if header.symmetry == .symmetric && i != j { triplets.append((j, i, v)) }
        }
        guard seen == declared else {
            throw .malformed(file: file, line: lines.lineNumber,
                             problem: "file ends after \(seen) of the \(declared) entries the size line (line \(sizeLine)) declares")
        }
        do {
            return .sparse(try SparseMatrix(rows: rows, columns: columns, triplets: triplets))
        } catch {
            throw .invalidContent(file: file, problem: "\(error)")
        }
    }
}
