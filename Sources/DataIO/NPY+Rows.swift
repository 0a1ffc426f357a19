import Foundation
import LinearAlgebra

/// Reading a block of rows of an `.npy` matrix without reading the rest (a distributed run's own
/// rows of `--init file.npy`). The preamble, header, dtype, shape and file size are checked as
/// `NPY.read` checks them, with the same messages, so every reader of the file reports the same
/// problem; then only the block's bytes are read: C order keeps a block of rows contiguous (one
/// positioned read at data start + first_row·columns·width), Fortran order stores columns, so the
/// block is one positioned read per column (a strided read).
extension NPY {
    /// Where the array of an `.npy` file lies and how it is stored.
    public struct Layout: Sendable, Equatable {
        public let rows: Int
        public let columns: Int
        public let fortranOrder: Bool
        /// Bytes per number: 8 (`<f8`) or 4 (`<f4`).
        public let width: Int
        /// Byte offset of the first number.
        public let dataStart: Int
    }

    /// The layout of the array in `url`, after every check `read` makes (nothing past the header read).
    public static func layout(of url: URL) throws(DataIOError) -> Layout {
        let handle = try FileRange(url)
        defer { handle.close() }
        return try checkedLayout(size: handle.size, file: url.path) { (range: Range<Int>) throws(DataIOError) -> [UInt8] in
            try handle.bytes(range)
        }
    }

    /// Every check `read` makes on an `.npy` file of `size` bytes (preamble, version, header,
    /// dtype, shape, data size, trailing bytes), with its messages; `bytes` gives the bytes of a
    /// range (only the preamble and the header are asked for).
    static func checkedLayout(size: Int, file: String,
                              bytes: (Range<Int>) throws(DataIOError) -> [UInt8]) throws(DataIOError) -> Layout {
        guard size >= 8 else {
            throw .malformedBinary(file: file, offset: size, problem: "file too short for an .npy preamble (\(size) bytes)")
        }
        let preamble = try bytes(0..<min(size, 12))
        guard Array(preamble[0..<6]) == magic else {
            throw .malformedBinary(file: file, offset: 0, problem: "not an .npy file (magic string \\x93NUMPY missing)")
        }
        let major = Int(preamble[6]), minor = Int(preamble[7])
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            guard size >= 10 else { throw .malformedBinary(file: file, offset: size, problem: "truncated header length") }
            headerLength = Int(preamble[8]) | Int(preamble[9]) << 8
            headerStart = 10
        case 2, 3:
            guard size >= 12 else { throw .malformedBinary(file: file, offset: size, problem: "truncated header length") }
            headerLength = (0..<4).reduce(0) { $0 | Int(preamble[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw .malformedBinary(file: file, offset: 6, problem: "unsupported .npy format version \(major).\(minor) (1.0, 2.0 and 3.0 are supported)")
        }
        let dataStart = headerStart + headerLength
        guard dataStart <= size else {
            throw .malformedBinary(file: file, offset: size,
                                   problem: "truncated header: declares \(headerLength) bytes but the file ends after \(size - headerStart)")
        }
        let headerText = String(decoding: try bytes(headerStart..<dataStart), as: UTF8.self)
        let header: Header
        do {
            header = try Header.parse(headerText)
        } catch {
            throw .malformedBinary(file: file, offset: headerStart + error.offset, problem: "header: \(error.message)")
        }
        let rows: Int, columns: Int
        switch header.shape.count {
        case 1: (rows, columns) = (header.shape[0], 1)
        case 2: (rows, columns) = (header.shape[0], header.shape[1])
        default:
            throw .malformedBinary(file: file, offset: headerStart,
                                   problem: "shape \(header.shapeText) has \(header.shape.count) dimensions; only 1-D and 2-D arrays are supported")
        }
        let width: Int
        switch header.descr {
        case "<f8": width = 8
        case "<f4": width = 4
        default:
            throw .malformedBinary(file: file, offset: headerStart, problem: "unsupported dtype '\(header.descr)': \(dtypeProblem(header.descr))")
        }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        let (byteCount, overflow2) = count.multipliedReportingOverflow(by: width)
        guard !overflow, !overflow2 else {
            throw .malformedBinary(file: file, offset: headerStart, problem: "shape \(header.shapeText) is too large")
        }
        let available = size - dataStart
        guard available >= byteCount else {
            throw .malformedBinary(file: file, offset: size,
                                   problem: "truncated data: shape \(header.shapeText) needs \(byteCount) bytes from offset \(dataStart), only \(available) present")
        }
        guard available == byteCount else {
            throw .malformedBinary(file: file, offset: dataStart + byteCount, problem: "\(available - byteCount) unexpected bytes after the array data")
        }
        return Layout(rows: rows, columns: columns, fortranOrder: header.fortranOrder, width: width, dataStart: dataStart)
    }

    /// Rows `block` of the array in `url` (laid out as `layout`, from `layout(of:)`), as a
    /// block.count × columns matrix; only those rows' bytes are read.
    public static func readRows(_ url: URL, layout: Layout, rows block: Range<Int>) throws(DataIOError) -> Matrix {
        precondition(block.lowerBound >= 0 && block.upperBound <= layout.rows, "rows \(block) outside the \(layout.rows) rows")
        let handle = try FileRange(url)
        defer { handle.close() }
        let n = block.count, columns = layout.columns, width = layout.width
        var out = Matrix(rows: n, columns: columns)
        if n == 0 || columns == 0 { return out }
        func decode(_ bytes: [UInt8], count: Int, store: (Int, Double) -> Void) {
            bytes.withUnsafeBytes { raw in
                for k in 0..<count {
                    let x = width == 8
                        ? Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))
                        : Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))))
                    store(k, x)
                }
            }
        }
        if layout.fortranOrder {
            for j in 0..<columns {
                let start = layout.dataStart + (j * layout.rows + block.lowerBound) * width
                let bytes = try handle.bytes(start..<(start + n * width))
                decode(bytes, count: n) { k, x in out[k, j] = x }
            }
        } else {
            let start = layout.dataStart + block.lowerBound * columns * width
            let bytes = try handle.bytes(start..<(start + n * columns * width))
            decode(bytes, count: n * columns) { k, x in out[k / columns, k % columns] = x }
        }
        return out
    }
}
