import Foundation
import LinearAlgebra

/// NumPy `.npy` files, so matrices move to and from Python without a text round trip.
///
/// Reading accepts format versions 1.0, 2.0 and 3.0, little-endian `float64` (`<f8`) or
/// `float32` (`<f4`) data, C or Fortran order, and 1-D (read as a column) or 2-D shapes.
/// Writing always produces what `numpy.save` would for a `float64` C-order array.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Reads a matrix; a 1-D array of length n becomes an n × 1 matrix.
    public static func read(_ url: URL) throws(DataIOError) -> Matrix {
        try decode(FileBytes.read(url), file: url.path)
    }

    /// Writes `matrix` as `float64`, C order, shape `(rows, columns)`, atomically.
    public static func write(_ matrix: Matrix, to url: URL) throws(DataIOError) {
        try AtomicFile.write(encode(matrix), to: url)
    }

    /// The `.npy` bytes for `matrix` (v1.0 header unless it would not fit, then v2.0).
    public static func encode(_ matrix: Matrix) -> [UInt8] {
        var out = header(rows: matrix.rows, columns: matrix.columns)
        out.reserveCapacity(out.count + matrix.count * 8)
        let rowMajor = matrix.rowMajorStorage
        let start = out.count
        out += [UInt8](repeating: 0, count: rowMajor.count * 8)
        out.withUnsafeMutableBytes { raw in
            for (k, x) in rowMajor.enumerated() {
                raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: start + 8 * k, as: UInt64.self)
            }
        }
        return out
    }

    /// The magic, version and header of a float64 C-order rows × columns array, padded so that the
    /// data starts on a 64-byte boundary (the rows follow, row-major, 8 bytes per number).
    public static func header(rows: Int, columns: Int) -> [UInt8] {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        // numpy pads with spaces so the data starts on a 64-byte boundary, header ending in '\n'.
        var prefix = 10
        if header.utf8.count + 1 + prefix > 65_535 { prefix = 12 }
        let total = prefix + header.utf8.count + 1
        let padded = (total + 63) / 64 * 64
        header += String(repeating: " ", count: padded - total) + "\n"
        let headerLength = header.utf8.count
        var out = magic
        if prefix == 10 {
            out += [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        } else {
            out += [2, 0]
            for k in 0..<4 { out.append(UInt8((headerLength >> (8 * k)) & 0xFF)) }
        }
        out += Array(header.utf8)
        return out
    }

    /// Parses `.npy` bytes; errors carry the byte offset of the problem.
    public static func decode(_ bytes: [UInt8], file: String) throws(DataIOError) -> Matrix {
        let layout = try checkedLayout(size: bytes.count, file: file) { (range: Range<Int>) throws(DataIOError) -> [UInt8] in Array(bytes[range]) }
        let rows = layout.rows, columns = layout.columns, width = layout.width, dataStart = layout.dataStart
        let count = rows * columns
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            if width == 8 {
                for k in 0..<count {
                    values[k] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 8 * k, as: UInt64.self)))
                }
            } else {
                for k in 0..<count {
                    values[k] = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 4 * k, as: UInt32.self))))
                }
            }
        }
        // Fortran order is column-major, which is Matrix's own layout.
        if layout.fortranOrder {
            return Matrix(rows: rows, columns: columns, columnMajor: values)
        }
        return Matrix(rows: rows, columns: columns, rowMajor: values)
    }

    static func dtypeProblem(_ descr: String) -> String {
        guard let order = descr.first else { return "empty dtype" }
        let kind = descr.dropFirst().first
        if order == ">" { return "big-endian data is not supported; save with dtype '<f8' or '<f4'" }
        switch kind {
        case "i", "u": return "integer arrays are not supported; convert with .astype('<f8')"
        case "f": return "only 4- and 8-byte little-endian floats are supported"
        case "c": return "complex arrays are not supported"
        case "b": return "boolean arrays are not supported"
        default: return "only little-endian float64 ('<f8') and float32 ('<f4') are supported"
        }
    }

    /// The parsed header dictionary.
    struct Header {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
        var shapeText: String { "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")") }

        struct ParseError: Error {
            var offset: Int
            var message: String
        }

        /// Parses the Python dict literal numpy writes, tolerating any spacing, either quote
        /// style and trailing commas.
        static func parse(_ text: String) throws(ParseError) -> Header {
            var p = LiteralParser(Array(text.utf8))
            let dict = try p.parseDict()
            p.skipSpace()
            guard p.atEnd else { throw ParseError(offset: p.i, message: "unexpected text after the dictionary") }
            guard case let .string(descr)? = dict["descr"] else {
                throw ParseError(offset: 0, message: "missing or non-string 'descr'")
            }
            guard case let .bool(fortran)? = dict["fortran_order"] else {
                throw ParseError(offset: 0, message: "missing or non-boolean 'fortran_order'")
            }
            guard case let .tuple(shape)? = dict["shape"] else {
                throw ParseError(offset: 0, message: "missing or non-tuple 'shape'")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw ParseError(offset: 0, message: "negative dimension in 'shape'") }
            let extra = Set(dict.keys).subtracting(["descr", "fortran_order", "shape"])
            guard extra.isEmpty else { throw ParseError(offset: 0, message: "unexpected keys \(extra.sorted())") }
            return Header(descr: descr, fortranOrder: fortran, shape: shape)
        }
    }

    enum Literal { case string(String), bool(Bool), tuple([Int]) }

    /// A tiny recursive-descent parser for the subset of Python literals in `.npy` headers.
    struct LiteralParser {
        let s: [UInt8]
        var i = 0
        init(_ s: [UInt8]) { self.s = s }
        var atEnd: Bool { i >= s.count }

        mutating func skipSpace() {
            while i < s.count, s[i] == ASCII.space || s[i] == ASCII.tab || s[i] == ASCII.lf || s[i] == ASCII.cr { i += 1 }
        }

        mutating func expect(_ c: Character) throws(Header.ParseError) {
            skipSpace()
            guard i < s.count, s[i] == c.asciiValue! else {
                throw Header.ParseError(offset: i, message: "expected '\(c)'")
            }
            i += 1
        }

        mutating func peek(_ c: Character) -> Bool {
            skipSpace()
            return i < s.count && s[i] == c.asciiValue!
        }

        mutating func parseDict() throws(Header.ParseError) -> [String: Literal] {
            try expect("{")
            var out: [String: Literal] = [:]
            while !peek("}") {
                let keyOffset = i
                let key = try parseString()
                try expect(":")
                let value = try parseValue()
                guard out.updateValue(value, forKey: key) == nil else {
                    throw Header.ParseError(offset: keyOffset, message: "duplicate key '\(key)'")
                }
                if peek(",") { i += 1 } else { break }
            }
            try expect("}")
            return out
        }

        mutating func parseString() throws(Header.ParseError) -> String {
            skipSpace()
            guard i < s.count, s[i] == UInt8(ascii: "'") || s[i] == ASCII.quote else {
                throw Header.ParseError(offset: i, message: "expected a quoted string")
            }
            let q = s[i]
            let start = i + 1
            var j = start
            while j < s.count, s[j] != q {
                guard s[j] != UInt8(ascii: "\\") else { throw Header.ParseError(offset: j, message: "escapes in strings are not supported") }
                j += 1
            }
            guard j < s.count else { throw Header.ParseError(offset: i, message: "unterminated string") }
            i = j + 1
            return String(decoding: s[start..<j], as: UTF8.self)
        }

        mutating func parseValue() throws(Header.ParseError) -> Literal {
            skipSpace()
            guard i < s.count else { throw Header.ParseError(offset: i, message: "expected a value") }
            if s[i] == UInt8(ascii: "'") || s[i] == ASCII.quote { return .string(try parseString()) }
            if s[i] == UInt8(ascii: "(") {
                i += 1
                var items: [Int] = []
                while !peek(")") {
                    items.append(try parseInt())
                    if peek(",") { i += 1 } else { break }
                }
                try expect(")")
                return .tuple(items)
            }
            for (word, value) in [("True", true), ("False", false)] where s[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return .bool(value)
            }
            throw Header.ParseError(offset: i, message: "unsupported value")
        }

        mutating func parseInt() throws(Header.ParseError) -> Int {
            skipSpace()
            let start = i
            var value = 0
            while i < s.count, s[i] >= ASCII.zero, s[i] <= ASCII.nine {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(s[i] - ASCII.zero))
                guard !o1, !o2 else { throw Header.ParseError(offset: start, message: "dimension too large") }
                value = a
                i += 1
            }
            // numpy on some platforms writes long integers as "3L".
            if i > start, i < s.count, s[i] == UInt8(ascii: "L") { i += 1 }
            guard i > start else { throw Header.ParseError(offset: start, message: "expected a non-negative integer") }
            return value
        }
    }
}
