import Foundation
import _CZlib

#if canImport(Glibc)
import Glibc
#endif

/// A SciPy `.npz` S read by a group of members without any member holding all of S.
///
/// The file is mapped read-only (pages are read when touched) and its arrays are streamed in
/// pieces of `piece` elements, inflating deflated members on the fly.
/// - CSC: every member reads `indptr` (M + 1 numbers), then only its columns' slice of `indices`
///   and `data` (a stored member is not touched outside the slice; a deflated one is inflated up
///   to the slice's end). Problems found in the slices are agreed on (the lowest entry wins,
///   value problems before index problems, as one process checks them).
/// - CSR and COO: every member streams all entries (same checks, same first problem everywhere)
///   and keeps those whose column falls in its equal share of the items.
/// CRC-32s are checked for every member streamed to its end; a CSC slice read leaves them unchecked.
enum PartitionedNPZ {
    static let piece = 1 << 16

    static func share(_ url: URL, likeThreshold: Double?, group: any ReadGroup) throws -> PartitionedInteractionFile.Share {
        let file = url.path
        // Local problems (the archive on this member) are agreed on first; content problems are
        // the same on every member (or agreed on below, for CSC slices).
        var opened: (MappedFile, [String: ZipArchive.Member])?
        var localError: (any Error)?
        do {
            let mapped = try MappedFile(url)
            var members: [String: ZipArchive.Member] = [:]
            for member in try ZipArchive.members(mapped.bytes, file: file) where member.name.hasSuffix(".npy") {
                members[String(member.name.dropLast(4))] = member
            }
            opened = (mapped, members)
        } catch {
            localError = error
        }
        let failures = try group.allgather([localError == nil ? 0 : 1]).values
        if let failing = failures.firstIndex(of: 1) {
            if failing == group.rank, let localError { throw localError }
            throw PeerReadFailure(rank: failing)
        }
        let (mapped, members) = opened!
        // The streams read through raw pointers into the mapping: keep it until they are done.
        defer { withExtendedLifetime(mapped) {} }
        let p = mapped.bytes

        // Every array's header first, in the archive's order (as one process decodes them).
        var arrays: [String: ArrayStream] = [:]
        for (key, member) in members.sorted(by: { $0.value.localHeaderOffset < $1.value.localHeaderOffset }) {
            arrays[key] = try ArrayStream(member, p, file: file)
        }
        func array(_ key: String) throws(DataIOError) -> ArrayStream {
            guard let a = arrays[key] else {
                throw .invalidContent(file: file, problem: "not a scipy.sparse .npz: no '\(key)' array (found \(arrays.keys.sorted().joined(separator: ", ")))")
            }
            return a
        }
        func fresh(_ key: String) throws -> ArrayStream { try ArrayStream(members[key]!, p, file: file) }
        let format = try array("format").all().text(file: file)
        let shape = try array("shape").all().integers(file: file, name: "shape")
        guard shape.count == 2, shape[0] >= 0, shape[1] >= 0 else {
            throw DataIOError.invalidContent(file: file, problem: "shape must be two non-negative integers, found \(shape)")
        }
        let (rows, columns) = (shape[0], shape[1])
        guard columns <= Int(Int32.max), rows <= Int(Int32.max) else {
            throw DataIOError.invalidContent(file: file, problem: "shape \(rows)×\(columns) exceeds 2³¹ − 1 rows or columns")
        }
        let dataArray = try array("data")
        guard dataArray.header.shape.count == 1 else {
            throw DataIOError.invalidContent(file: file, problem: "data must be 1-D, found shape \(dataArray.header.shape)")
        }
        _ = try dataArray.next(0).doubles(file: file)   // the dtype check
        let nnz = dataArray.count
        func like(_ v: Double, _ k: Int) throws(DataIOError) -> Bool {
            try InteractionFile.like(v, threshold: likeThreshold) { problem throws(DataIOError) in
                throw .invalidContent(file: file, problem: "data[\(k)]: \(problem)")
            } > 0
        }
        /// Every value checked in order (one process checks them all before the structure).
        func checkAllValues() throws {
            let data = try fresh("data")
            var k = 0
            while k < nnz {
                let n = min(piece, nnz - k)
                for (offset, v) in try data.next(n).doubles(file: file).enumerated() { _ = try like(v, k + offset) }
                k += n
            }
        }
        let rank = group.rank, size = group.size
        let own = (rank * columns / size)..<((rank + 1) * columns / size)
        var share = PartitionedInteractionFile.Share(rows: rows, columns: columns, entries: nnz)
        func outside(_ k: Int, _ r: Int, _ c: Int) -> DataIOError {
            .invalidContent(file: file, problem: "entry \(k) at (\(r), \(c)) lies outside the shape \(rows)×\(columns)")
        }

        switch format {
        case "csr", "csc":
            let transposed = format == "csc"
            let (majorCount, minorCount) = transposed ? (columns, rows) : (rows, columns)
            let pointerArray = try array("indptr"), indexArray = try array("indices")
            if !transposed { try checkAllValues() }
            let pointers = try pointerArray.all().integers(file: file, name: "indptr")
            var structure: DataIOError?
            if pointers.count != majorCount + 1 {
                structure = .invalidContent(file: file, problem: "indptr has \(pointers.count) entries; a \(format) matrix of shape \(rows)×\(columns) needs \(majorCount + 1)")
            } else if pointers.first != 0 || pointers.last != nnz || indexArray.count != nnz {
                structure = .invalidContent(file: file, problem: "indptr runs 0…\(pointers.last ?? 0) but there are \(indexArray.count) indices and \(nnz) values")
            } else if let r = (0..<majorCount).first(where: { pointers[$0] > pointers[$0 + 1] }) {
                structure = .invalidContent(file: file, problem: "indptr decreases at position \(r + 1)")
            }
            if let structure {
                if transposed { try checkAllValues() }
                throw structure
            }
            if !transposed {
                let data = try fresh("data"), indices = try fresh("indices")
                var k = 0, row = 0
                while k < nnz {
                    let n = min(piece, nnz - k)
                    let values = try data.next(n).doubles(file: file)
                    let cols = try indices.next(n).integers(file: file, name: "indices", firstIndex: k)
                    for t in 0..<n {
                        while pointers[row + 1] <= k + t { row += 1 }
                        guard cols[t] >= 0, cols[t] < minorCount else { throw outside(k + t, row, cols[t]) }
                        if own.contains(cols[t]), try like(values[t], k + t) { share.users.append(row); share.items.append(cols[t]) }
                    }
                    k += n
                }
                return share
            }
            // CSC: only the own columns' slice; its problems agreed on with the other members.
            let slice = pointers[own.lowerBound]..<pointers[own.upperBound]
            var firstValueProblem: (k: Int, text: String)?
            var firstOutside: (k: Int, r: Int, c: Int)?
            var localFailure: (any Error)?
            let data = try ArrayStream(members["data"]!, p, file: file, verifiesCRC: false)
            let indices = try ArrayStream(members["indices"]!, p, file: file, verifiesCRC: false)
            do {
                try data.skip(slice.lowerBound)
                try indices.skip(slice.lowerBound)
                var k = slice.lowerBound, column = own.lowerBound
                while k < slice.upperBound {
                    let n = min(piece, slice.upperBound - k)
                    let values = try data.next(n).doubles(file: file)
                    let rowIndex = try indices.next(n).integers(file: file, name: "indices", firstIndex: k)
                    for t in 0..<n {
                        while pointers[column + 1] <= k + t { column += 1 }
                        let liked: Bool
                        do throws(DataIOError) {
                            liked = try like(values[t], k + t)
                        } catch {
                            if firstValueProblem == nil, case let .invalidContent(_, text) = error { firstValueProblem = (k + t, text) }
                            continue
                        }
                        guard rowIndex[t] >= 0, rowIndex[t] < minorCount else {
                            if firstOutside == nil { firstOutside = (k + t, rowIndex[t], column) }
                            continue
                        }
                        if liked { share.users.append(rowIndex[t]); share.items.append(column) }
                    }
                    k += n
                }
                // The last member's slice ends the arrays: the rest of each member (padding) is checksummed too.
                if rank == size - 1 {
                    try data.skip(data.count - slice.upperBound)
                    try indices.skip(indices.count - slice.upperBound)
                }
            } catch {
                localFailure = error
            }
            let found = try group.allgather([localFailure == nil ? 0 : 1, Int64(firstValueProblem?.k ?? -1), Int64(firstOutside?.k ?? -1),
                                             Int64(firstOutside?.r ?? 0), Int64(firstOutside?.c ?? 0)]
                                            + data.checksummed + indices.checksummed).values
            let stride = 11
            if let failing = (0..<size).first(where: { found[stride * $0] != 0 }) {
                if failing == rank, let localFailure { throw localFailure }
                throw PeerReadFailure(rank: failing)
            }
            for (stream, offset) in [(data, 5), (indices, 8)] {
                let pieces = (0..<size).map { Array(found[(stride * $0 + offset)..<(stride * $0 + offset + 3)]) }
                if !stream.piecesMatch(pieces) { throw stream.crcMismatch }
            }
            if let r = (0..<size).filter({ found[stride * $0 + 1] >= 0 }).min(by: { found[stride * $0 + 1] < found[stride * $1 + 1] }) {
                let text = try group.allgather(bytes: r == rank ? Array(firstValueProblem!.text.utf8) : []).values
                throw DataIOError.invalidContent(file: file, problem: String(decoding: text, as: UTF8.self))
            }
            if let r = (0..<size).filter({ found[stride * $0 + 2] >= 0 }).min(by: { found[stride * $0 + 2] < found[stride * $1 + 2] }) {
                throw outside(Int(found[stride * r + 2]), Int(found[stride * r + 3]), Int(found[stride * r + 4]))
            }
            return share
        case "coo":
            try checkAllValues()
            let rowArray = try array("row"), columnArray = try array("col")
            guard rowArray.count == nnz, columnArray.count == nnz else {
                throw DataIOError.invalidContent(file: file, problem: "row, col and data have \(rowArray.count), \(columnArray.count) and \(nnz) entries")
            }
            let data = try fresh("data"), rowStream = try fresh("row"), columnStream = try fresh("col")
            var k = 0
            while k < nnz {
                let n = min(piece, nnz - k)
                let values = try data.next(n).doubles(file: file)
                let r = try rowStream.next(n).integers(file: file, name: "row", firstIndex: k)
                let c = try columnStream.next(n).integers(file: file, name: "col", firstIndex: k)
                for t in 0..<n {
                    guard r[t] >= 0, r[t] < rows, c[t] >= 0, c[t] < columns else { throw outside(k + t, r[t], c[t]) }
                    if own.contains(c[t]), try like(values[t], k + t) { share.users.append(r[t]); share.items.append(c[t]) }
                }
                k += n
            }
            return share
        default:
            throw DataIOError.invalidContent(file: file, problem: "sparse format '\(format)' is not supported (csr, csc and coo are)")
        }
    }
}

/// A file mapped read-only.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    private let mapped: Bool

    init(_ url: URL) throws(DataIOError) {
        let range = try FileRange(url)
        defer { range.close() }
        guard range.size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        guard let base = mmap(nil, range.size, PROT_READ, MAP_PRIVATE, range.fd, 0), base != MAP_FAILED else {
            throw .unreadable(file: url.path, reason: String(cString: strerror(errno)))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: range.size)
        mapped = true
    }

    deinit { if mapped { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) } }
}

/// One `.npy` member of the archive read front to back in pieces (stored or deflated).
final class ArrayStream {
    private(set) var header: NPY.Header
    private let member: ZipArchive.Member
    private let file: String
    private let source: UnsafeRawBufferPointer
    private let sourceOffset: Int
    private var width: Int
    private var template: NPYArray
    /// Member bytes produced (or skipped) so far, header included.
    private var produced = 0
    private var consumed = 0
    private var crc: UInt = 0
    /// Where the bytes `crc` covers start (a stored member's skip restarts it).
    private var crcStart = 0
    /// Check the member's CRC-32 when the stream reaches its end (off for slices, whose pieces'
    /// CRCs are combined across members instead).
    private let verifiesCRC: Bool
    private var stream = z_stream()
    private var inflating = false

    var count: Int { template.count }

    init(_ member: ZipArchive.Member, _ p: UnsafeRawBufferPointer, file: String, verifiesCRC: Bool = true) throws(DataIOError) {
        self.member = member
        self.file = file
        self.verifiesCRC = verifiesCRC
        let at = member.localHeaderOffset
        (source, sourceOffset) = try ZipArchive.storedBytes(of: member, in: p, file: file)
        switch member.method {
        case 0:
            guard member.size == member.compressedSize else {
                throw .malformedBinary(file: file, offset: at, problem: "member \(member.name): stored sizes differ")
            }
        case 8:
            guard member.size <= 1032 * member.compressedSize + 1024 else {
                throw .malformedBinary(file: file, offset: at, problem: "member \(member.name) declares \(member.size) bytes from \(member.compressedSize) compressed: corrupt")
            }
            let status = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else { throw .malformedBinary(file: file, offset: sourceOffset, problem: "zlib inflateInit2 failed (\(status))") }
            inflating = true
        default:
            throw .malformedBinary(file: file, offset: at, problem: "member \(member.name) uses compression method \(member.method); only stored (0) and deflate (8) are supported")
        }
        // The .npy header: its fixed part, then the rest of its declared length.
        var prefix = [UInt8](repeating: 0, count: min(member.size, 12))
        var placeholder = NPY.Header(descr: "", fortranOrder: false, shape: [])
        var dataStart = 0
        header = placeholder
        template = NPYArray(descr: "", shape: [], data: [])
        width = 0
        try produce(into: &prefix)
        var parsed = try NPYArray.header(prefix, complete: prefix.count == member.size, file: file, member: member.name)
        if parsed == nil {
            let major = Int(prefix[6])
            let headerStart = major == 1 ? 10 : 12
            let headerLength = major == 1 ? Int(prefix[8]) | Int(prefix[9]) << 8 : (0..<4).reduce(0) { $0 | Int(prefix[8 + $1]) << (8 * $1) }
            var rest = [UInt8](repeating: 0, count: min(member.size, headerStart + headerLength) - prefix.count)
            try produce(into: &rest)
            prefix += rest
            parsed = try NPYArray.header(prefix, complete: true, file: file, member: member.name)
        }
        (placeholder, dataStart) = parsed!
        header = placeholder
        template = try NPYArray.checked(placeholder, dataBytes: [], dataCount: member.size - dataStart, file: file, member: member.name)
        width = try template.itemSize()
    }

    deinit { if inflating { inflateEnd(&stream) } }

    /// The next `n` elements.
    func next(_ n: Int) throws(DataIOError) -> NPYArray {
        var bytes = [UInt8](repeating: 0, count: n * width)
        try produce(into: &bytes)
        var out = template
        out.shape = [n]
        out.data = bytes
        return out
    }

    /// Every element (small arrays: format, shape, indptr).
    func all() throws(DataIOError) -> NPYArray {
        var out = try next(count)
        out.shape = header.shape
        return out
    }

    /// Passes over `n` elements (a stored member is not read; a deflated one is inflated).
    func skip(_ n: Int) throws(DataIOError) {
        guard n > 0 else { return }
        if !inflating {
            produced += n * width
            crc = 0
            crcStart = produced
            return
        }
        var left = n * width
        var scratch = [UInt8](repeating: 0, count: min(left, 1 << 20))
        while left > 0 {
            if scratch.count > left { scratch = [UInt8](repeating: 0, count: left) }
            try produce(into: &scratch)
            left -= scratch.count
        }
    }

    /// Fills `out` with the member's next bytes; checks the CRC-32 when the member ends.
    private func produce(into out: inout [UInt8]) throws(DataIOError) {
        guard !out.isEmpty else { return }
        guard produced + out.count <= member.size else {
            throw .malformedBinary(file: file, offset: sourceOffset, problem: "member \(member.name): data ends early or is longer than declared")
        }
        var failure: DataIOError?
        out.withUnsafeMutableBytes { dst in
            if !inflating {
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[produced..<(produced + dst.count)]))
                return
            }
            var written = 0
            while written < dst.count {
                let inChunk = min(source.count - consumed, 1 << 30)
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self).advanced(by: consumed))
                stream.avail_in = uInt(inChunk)
                stream.next_out = dst.baseAddress!.assumingMemoryBound(to: Bytef.self).advanced(by: written)
                stream.avail_out = uInt(dst.count - written)
                let before = dst.count - written
                let status = _CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += inChunk - Int(stream.avail_in)
                written += before - Int(stream.avail_out)
                if status == Z_STREAM_END && written < dst.count || status != Z_OK && status != Z_STREAM_END {
                    let message = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                    failure = .malformedBinary(file: file, offset: sourceOffset + consumed,
                                               problem: "member \(member.name): cannot inflate: \(status == Z_BUF_ERROR || status == Z_STREAM_END ? "data ends early or is longer than declared" : message)")
                    return
                }
            }
        }
        if let failure { throw failure }
        crc = out.withUnsafeBytes { UInt(crc32_z(crc, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), $0.count)) }
        produced += out.count
        if produced == member.size, verifiesCRC, crcStart == 0, UInt32(truncatingIfNeeded: crc) != member.crc {
            throw crcMismatch
        }
    }

    var crcMismatch: DataIOError {
        .malformedBinary(file: file, offset: sourceOffset, problem: "member \(member.name): CRC-32 mismatch (file damaged)")
    }

    /// The bytes this stream has checksummed: [start, end) of the member and their CRC-32.
    var checksummed: [Int64] { [Int64(crcStart), Int64(produced), Int64(crc)] }

    /// Whether the members' pieces (`checksummed` of each, in member order) make up the whole
    /// member with its CRC-32; true when they do not cover it (nothing to check).
    func piecesMatch(_ pieces: [[Int64]]) -> Bool {
        var combined: UInt = 0, end = 0
        for piece in pieces {
            let (start, stop, value) = (Int(piece[0]), Int(piece[1]), UInt(piece[2]))
            if start == 0 {
                (combined, end) = (value, stop)
            } else if start == end {
                combined = UInt(crc32_combine(uLong(combined), uLong(value), off_t(stop - start)))
                end = stop
            }
        }
        return end != member.size || UInt32(truncatingIfNeeded: combined) == member.crc
    }
}
