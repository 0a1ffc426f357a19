import Foundation
import LinearAlgebra

/// A dense matrix as comma-separated numbers, one row per line: the simplest way to hand a
/// small co-occurrence matrix over from a spreadsheet or pandas (`df.to_csv(index=False)`).
public enum DenseMatrixCSV {
    /// Reads the matrix. The first line is taken as a header (and skipped) when any of its
    /// fields is not a number. Spaces around numbers are ignored; blank lines at the end are
    /// allowed; every row must have the same number of fields.
    public static func read(_ url: URL) throws(DataIOError) -> Matrix {
        try parse(FileBytes.read(url), file: url.path)
    }

    /// Parses the bytes of a dense CSV file (`file` names it in errors).
    static func parse(_ bytes: [UInt8], file: String) throws(DataIOError) -> Matrix {
        // The header may use RFC 4180 quoting, so it is read with the CSV parser.
        var csv = CSVReader(bytes: bytes, file: file)
        var dataStart = csv.position
        var headerLines = 0
        if let first = try csv.next() {
            let numeric = first.fields.allSatisfy { ByteNumber.parseDouble($0.trimmingCharacters(in: .whitespaces)) != nil }
            if !numeric {
                dataStart = csv.position
                headerLines = csv.line - 1
            }
        }
        let result: Result<Matrix, DataIOError> = bytes.withUnsafeBufferPointer { p in
            var lines = LineScanner(p, from: dataStart)
            var values: [Double] = []
            var width = -1
            var rows = 0
            var blankSince: Int?
            while let l = lines.next() {
                let line = l.line + headerLines
                if LineScanner.isBlank(p, l.start, l.end) {
                    if blankSince == nil { blankSince = line }
                    continue
                }
                if let blank = blankSince {
                    return .failure(.malformed(file: file, line: blank, problem: "blank line inside the data"))
                }
                var fields = 0
                var s = l.start
                var k = l.start
                while true {
                    if k == l.end || p[k] == ASCII.comma {
                        var a = s, b = k
                        while a < b, p[a] == ASCII.space || p[a] == ASCII.tab { a += 1 }
                        while b > a, p[b - 1] == ASCII.space || p[b - 1] == ASCII.tab { b -= 1 }
                        guard let v = ByteNumber.parseDouble(p, a, b) else {
                            return .failure(.malformed(file: file, line: line,
                                                       problem: "field \(fields + 1) \(TextFormat.excerpt(p, a, b)) is not a number"))
                        }
                        values.append(v)
                        fields += 1
                        if k == l.end { break }
                        s = k + 1
                    }
                    k += 1
                }
                if width < 0 { width = fields }
                guard fields == width else {
                    return .failure(.malformed(file: file, line: line, problem: "expected \(width) fields like the first row, found \(fields)"))
                }
                rows += 1
            }
            guard rows > 0 else { return .failure(.invalidContent(file: file, problem: "no data rows")) }
            return .success(Matrix(rows: rows, columns: width, rowMajor: values))
        }
        return try result.get()
    }

    /// Writes `matrix` as CSV without a header, numbers in shortest round-trip form. Atomic.
    public static func write(_ matrix: Matrix, to url: URL) throws(DataIOError) {
        try MatrixMarket.writeAtomically(url) { out in
            for i in 0..<matrix.rows {
                var line = ""
                for j in 0..<matrix.columns {
                    if j > 0 { line += "," }
                    line += TextFormat.number(matrix[i, j])
                }
                out.write(line + "\n")
            }
        }
    }
}
