import Foundation
import LinearAlgebra

/// SciPy sparse matrices in `.npz` files (`scipy.sparse.save_npz` / `load_npz`): CSR, CSC or
/// COO, compressed or not, any integer index type and integer, boolean or float data.
public enum SparseNPZ {
    /// Reads the matrix in `url`. Duplicate coordinates are summed (as SciPy does when it
    /// converts); the result is CSR with sorted columns.
    public static func read(_ url: URL) throws(DataIOError) -> SparseMatrix {
        try read(url, entry: { v, _ throws(DataIOError) in v })
    }

    /// Like `read`, with every stored entry passed through `entry(value, index)` first (to check
    /// or map it; index = its position in the file's data array).
    static func read(_ url: URL, entry: (Double, Int) throws(DataIOError) -> Double) throws(DataIOError) -> SparseMatrix {
        let file = url.path
        let bytes = try FileBytes.read(url)
        let decoded: Result<[String: NPYArray], DataIOError> = bytes.withUnsafeBytes { p in
            do throws(DataIOError) {
                var out: [String: NPYArray] = [:]
                for member in try ZipArchive.members(p, file: file) where member.name.hasSuffix(".npy") {
                    let key = String(member.name.dropLast(4))
                    out[key] = try NPYArray.decode(ZipArchive.contents(of: member, in: p, file: file), file: file, member: member.name)
                }
                return .success(out)
            } catch {
                return .failure(error)
            }
        }
        let arrays = try decoded.get()
        func array(_ key: String) throws(DataIOError) -> NPYArray {
            guard let a = arrays[key] else {
                throw .invalidContent(file: file, problem: "not a scipy.sparse .npz: no '\(key)' array (found \(arrays.keys.sorted().joined(separator: ", ")))")
            }
            return a
        }
        let format = try array("format").text(file: file)
        let shape = try array("shape").integers(file: file, name: "shape")
        guard shape.count == 2, shape[0] >= 0, shape[1] >= 0 else {
            throw .invalidContent(file: file, problem: "shape must be two non-negative integers, found \(shape)")
        }
        let (rows, columns) = (shape[0], shape[1])
        guard columns <= Int(Int32.max), rows <= Int(Int32.max) else {
            throw .invalidContent(file: file, problem: "shape \(rows)×\(columns) exceeds 2³¹ − 1 rows or columns")
        }
        let dataArray = try array("data")
        guard dataArray.shape.count == 1 else {
            throw .invalidContent(file: file, problem: "data must be 1-D, found shape \(dataArray.shape)")
        }
        var data = try dataArray.doubles(file: file)
        for k in data.indices { data[k] = try entry(data[k], k) }
        let nnz = data.count
        var majors: [Int], minors: [Int]
        let majorCount: Int, minorCount: Int, transposed: Bool
        switch format {
        case "csr", "csc":
            let pointers = try array("indptr").integers(file: file, name: "indptr")
            minors = try array("indices").integers(file: file, name: "indices")
            transposed = format == "csc"
            (majorCount, minorCount) = transposed ? (columns, rows) : (rows, columns)
            guard pointers.count == majorCount + 1 else {
                throw .invalidContent(file: file, problem: "indptr has \(pointers.count) entries; a \(format) matrix of shape \(rows)×\(columns) needs \(majorCount + 1)")
            }
            guard pointers.first == 0, pointers.last == nnz, minors.count == nnz else {
                throw .invalidContent(file: file, problem: "indptr runs 0…\(pointers.last ?? 0) but there are \(minors.count) indices and \(nnz) values")
            }
            majors = [Int](repeating: 0, count: nnz)
            for r in 0..<majorCount {
                guard pointers[r] <= pointers[r + 1] else {
                    throw .invalidContent(file: file, problem: "indptr decreases at position \(r + 1)")
                }
                for k in pointers[r]..<pointers[r + 1] { majors[k] = r }
            }
        case "coo":
            let rowIndex = try array("row").integers(file: file, name: "row")
            let columnIndex = try array("col").integers(file: file, name: "col")
            guard rowIndex.count == nnz, columnIndex.count == nnz else {
                throw .invalidContent(file: file, problem: "row, col and data have \(rowIndex.count), \(columnIndex.count) and \(nnz) entries")
            }
            (majors, minors, transposed) = (rowIndex, columnIndex, false)
            (majorCount, minorCount) = (rows, columns)
        default:
            throw .invalidContent(file: file, problem: "sparse format '\(format)' is not supported (csr, csc and coo are)")
        }
        for k in 0..<nnz {
            guard majors[k] >= 0, majors[k] < majorCount, minors[k] >= 0, minors[k] < minorCount else {
                let (r, c) = transposed ? (minors[k], majors[k]) : (majors[k], minors[k])
                throw .invalidContent(file: file, problem: "entry \(k) at (\(r), \(c)) lies outside the shape \(rows)×\(columns)")
            }
        }
        let (rowOf, columnOf) = transposed ? (minors, majors) : (majors, minors)
        return SparseNPZ.csr(rows: rows, columns: columns, rowOf: rowOf, columnOf: columnOf, values: data)
    }

    /// CSR from coordinates: counting sort on rows, sort each row, sum duplicates.
    static func csr(rows: Int, columns: Int, rowOf: [Int], columnOf: [Int], values: [Double]) -> SparseMatrix {
        var counts = [Int](repeating: 0, count: rows + 1)
        for r in rowOf { counts[r + 1] += 1 }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var next = counts
        var order = [(Int32, Double)](repeating: (0, 0), count: rowOf.count)
        for k in rowOf.indices {
            order[next[rowOf[k]]] = (Int32(columnOf[k]), values[k])
            next[rowOf[k]] += 1
        }
        var pointers = [0]
        pointers.reserveCapacity(rows + 1)
        var outColumns: [Int32] = [], outValues: [Double] = []
        outColumns.reserveCapacity(order.count)
        outValues.reserveCapacity(order.count)
        for r in 0..<rows {
            order[counts[r]..<counts[r + 1]].sort { $0.0 < $1.0 }
            for k in counts[r]..<counts[r + 1] {
                if outColumns.count > pointers[r], outColumns.last == order[k].0 {
                    outValues[outValues.count - 1] += order[k].1
                } else {
                    outColumns.append(order[k].0)
                    outValues.append(order[k].1)
                }
            }
            pointers.append(outColumns.count)
        }
        // Sorted, in range and de-duplicated by construction.
        return try! SparseMatrix(rows: rows, columns: columns, rowPointers: pointers, columnIndices: outColumns, values: outValues)
    }

    /// Writes `matrix` as SciPy's CSR `.npz` (uncompressed): `scipy.sparse.load_npz` reads it
    /// back as a `csr_matrix` with the same values (float64). Indices are int32 when they fit,
    /// else int64. Atomic.
    public static func write(_ matrix: SparseMatrix, to url: URL) throws(DataIOError) {
        let wide = matrix.nonzeroCount > Int(Int32.max) || matrix.columns > Int(Int32.max)
        let indexType = wide ? "<i8" : "<i4"
        func integers(_ values: [Int]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(values.count * (wide ? 8 : 4))
            for v in values {
                if wide { withUnsafeBytes(of: Int64(v).littleEndian) { out += $0 } } else { withUnsafeBytes(of: Int32(v).littleEndian) { out += $0 } }
            }
            return out
        }
        var data: [UInt8] = []
        data.reserveCapacity(matrix.nonzeroCount * 8)
        for v in matrix.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        var shape: [UInt8] = []
        for v in [matrix.rows, matrix.columns] { withUnsafeBytes(of: Int64(v).littleEndian) { shape += $0 } }
        let members: [(name: String, bytes: [UInt8])] = [
            ("indices.npy", NPYArray.encode(descr: indexType, shape: [matrix.nonzeroCount], data: integers(matrix.columnIndices.map(Int.init)))),
            ("indptr.npy", NPYArray.encode(descr: indexType, shape: [matrix.rows + 1], data: integers(matrix.rowPointers))),
            ("format.npy", NPYArray.encode(descr: "|S3", shape: [], data: Array("csr".utf8))),
            ("shape.npy", NPYArray.encode(descr: "<i8", shape: [2], data: shape)),
            ("data.npy", NPYArray.encode(descr: "<f8", shape: [matrix.nonzeroCount], data: data)),
        ]
        try AtomicFile.write(ZipArchive.storedArchive(members), to: url)
    }
}

/// One `.npy` array of any of the simple dtypes SciPy stores: its shape, dtype and raw bytes.
struct NPYArray {
    var descr: String
    var shape: [Int]
    var data: [UInt8]
    var file = ""
    var member = ""

    var count: Int { shape.reduce(1, *) }

    static func decode(_ bytes: [UInt8], file: String, member: String) throws(DataIOError) -> NPYArray {
        guard let (header, dataStart) = try header(bytes, complete: true, file: file, member: member) else {
            throw .invalidContent(file: file, problem: "\(member): truncated .npy header")
        }
        return try checked(header, dataBytes: Array(bytes[dataStart...]), dataCount: bytes.count - dataStart, file: file, member: member)
    }

    /// The header of an `.npy` whose first bytes are `bytes`, and where its data starts; nil when
    /// `bytes` ends inside the header and more of the member follows (`complete` false).
    static func header(_ bytes: [UInt8], complete: Bool, file: String, member: String) throws(DataIOError) -> (NPY.Header, Int)? {
        if !complete && bytes.count < 12 { return nil }
        guard bytes.count >= 10, Array(bytes[0..<6]) == NPY.magic else {
            throw .invalidContent(file: file, problem: "\(member) is not an .npy array")
        }
        let major = Int(bytes[6])
        let headerStart = major == 1 ? 10 : 12
        guard major >= 1, major <= 3, bytes.count >= headerStart else {
            throw .invalidContent(file: file, problem: "\(member): unsupported .npy version \(major)")
        }
        let headerLength = major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8 : (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        guard headerStart + headerLength <= bytes.count else {
            if !complete { return nil }
            throw .invalidContent(file: file, problem: "\(member): truncated .npy header")
        }
        let header: NPY.Header
        do {
            header = try NPY.Header.parse(String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self))
        } catch {
            throw .invalidContent(file: file, problem: "\(member): header: \(error.message)")
        }
        guard !header.fortranOrder || header.shape.count <= 1 else {
            throw .invalidContent(file: file, problem: "\(member): Fortran-ordered arrays are not expected here")
        }
        return (header, headerStart + headerLength)
    }

    /// The array with `header`, checked to have `dataCount` bytes of data as its shape needs
    /// (`dataBytes`: those bytes, or none when the caller streams them).
    static func checked(_ header: NPY.Header, dataBytes: [UInt8], dataCount: Int, file: String, member: String) throws(DataIOError) -> NPYArray {
        var array = NPYArray(descr: header.descr, shape: header.shape, data: dataBytes, file: file, member: member)
        let width = try array.itemSize()
        guard dataCount == array.count * width else {
            throw .invalidContent(file: file, problem: "\(member): \(dataCount) data bytes, shape \(header.shape) of '\(header.descr)' needs \(array.count * width)")
        }
        array.file = file
        return array
    }

    /// Bytes per element; refuses big-endian and unknown dtypes.
    func itemSize() throws(DataIOError) -> Int {
        let chars = Array(descr)
        guard chars.count >= 3, chars[0] == "<" || chars[0] == "|" || (chars[0] == "=" ) else {
            throw .invalidContent(file: file, problem: "\(member): dtype '\(descr)' is not little-endian")
        }
        guard let size = Int(String(chars[2...])), size > 0 else {
            throw .invalidContent(file: file, problem: "\(member): unsupported dtype '\(descr)'")
        }
        switch chars[1] {
        case "i", "u", "b", "f", "S": return size
        case "U": return 4 * size
        default: throw .invalidContent(file: file, problem: "\(member): unsupported dtype '\(descr)'")
        }
    }

    private func element(_ k: Int, _ raw: UnsafeRawBufferPointer, kind: Character, size: Int) -> (int: Int?, double: Double)? {
        let o = k * size
        switch (kind, size) {
        case ("i", 1): let v = Int(raw.load(fromByteOffset: o, as: Int8.self)); return (v, Double(v))
        case ("i", 2): let v = Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int16.self))); return (v, Double(v))
        case ("i", 4): let v = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int32.self))); return (v, Double(v))
        case ("i", 8): let v = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int64.self))); return (v, Double(v))
        case ("u", 1), ("b", 1): let v = Int(raw.load(fromByteOffset: o, as: UInt8.self)); return (v, Double(v))
        case ("u", 2): let v = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt16.self))); return (v, Double(v))
        case ("u", 4): let v = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))); return (v, Double(v))
        case ("u", 8):
            let u = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self))
            return (u <= UInt64(Int.max) ? Int(u) : nil, Double(u))
        case ("f", 4): return (nil, Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)))))
        case ("f", 8): return (nil, Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self))))
        default: return nil
        }
    }

    /// The elements as integers (index arrays).
    /// `firstIndex`: the position of element 0 in the whole array (for messages).
    func integers(file: String, name: String, firstIndex: Int = 0) throws(DataIOError) -> [Int] {
        let chars = Array(descr)
        _ = try itemSize()
        guard chars[1] == "i" || chars[1] == "u" else {
            throw .invalidContent(file: file, problem: "\(name) has dtype '\(descr)'; an integer array was expected")
        }
        let size = Int(String(chars[2...]))!
        var out = [Int](repeating: 0, count: count)
        var failure: DataIOError?
        data.withUnsafeBytes { raw in
            for k in 0..<out.count {
                guard let v = element(k, raw, kind: chars[1], size: size), let i = v.int else {
                    failure = .invalidContent(file: file, problem: "\(name)[\(firstIndex + k)] does not fit an integer")
                    return
                }
                out[k] = i
            }
        }
        if let failure { throw failure }
        return out
    }

    /// The elements as Doubles (data arrays: bool, integer or float).
    func doubles(file: String) throws(DataIOError) -> [Double] {
        let chars = Array(descr)
        let size = try itemSize()
        guard "iubf".contains(chars[1]), [1, 2, 4, 8].contains(size), chars[1] != "f" || size >= 4 else {
            throw .invalidContent(file: file, problem: "data has dtype '\(descr)'; bool, integer, float32 or float64 was expected")
        }
        var out = [Double](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            for k in 0..<out.count { out[k] = element(k, raw, kind: chars[1], size: size)!.double }
        }
        return out
    }

    /// A 0-d byte or unicode string (SciPy's `format`).
    func text(file: String) throws(DataIOError) -> String {
        let chars = Array(descr)
        _ = try itemSize()
        switch chars[1] {
        case "S": return String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
        case "U":
            var scalars = String.UnicodeScalarView()
            for k in stride(from: 0, to: data.count, by: 4) {
                let v = UInt32(data[k]) | UInt32(data[k + 1]) << 8 | UInt32(data[k + 2]) << 16 | UInt32(data[k + 3]) << 24
                if v == 0 { break }
                if let s = Unicode.Scalar(v) { scalars.append(s) }
            }
            return String(scalars)
        default:
            throw .invalidContent(file: file, problem: "format has dtype '\(descr)'; a string was expected")
        }
    }

    /// `.npy` v1.0 bytes for raw little-endian `data`.
    static func encode(descr: String, shape: [Int], data: [UInt8]) -> [UInt8] {
        let shapeText = "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (total + 63) / 64 * 64 - total) + "\n"
        let length = header.utf8.count
        return NPY.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + data
    }
}
