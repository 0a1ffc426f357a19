import _CZlib

/// The few parts of the ZIP format a NumPy `.npz` uses: the central directory (with ZIP64
/// sizes), members stored or deflated, CRC-32 checked. Inflation and CRC come from zlib.
enum ZipArchive {
    struct Member {
        var name: String
        var method: Int
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    /// The members listed in the central directory, in order.
    static func members(_ p: UnsafeRawBufferPointer, file: String) throws(DataIOError) -> [Member] {
        let n = p.count
        func u16(_ o: Int) -> Int { Int(p.loadUnaligned(fromByteOffset: o, as: UInt16.self).littleEndian) }
        func u32(_ o: Int) -> Int { Int(p.loadUnaligned(fromByteOffset: o, as: UInt32.self).littleEndian) }
        func u64(_ o: Int) -> Int { Int(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: o, as: UInt64.self).littleEndian) }
        // End of central directory: 22 bytes plus a comment of up to 65,535 bytes at the end.
        guard n >= 22 else { throw .malformedBinary(file: file, offset: 0, problem: "not a zip (.npz) archive: only \(n) bytes") }
        var eocd = -1
        var o = n - 22
        while o >= max(0, n - 22 - 65_535) {
            if u32(o) == 0x0605_4B50 { eocd = o; break }
            o -= 1
        }
        guard eocd >= 0 else {
            throw .malformedBinary(file: file, offset: n, problem: "not a zip (.npz) archive: no end-of-central-directory record")
        }
        var count = u16(eocd + 10)
        var directorySize = u32(eocd + 12)
        var directoryOffset = u32(eocd + 16)
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the ZIP64 end record.
            let locator = eocd - 20
            guard locator >= 0, u32(locator) == 0x0706_4B50 else {
                throw .malformedBinary(file: file, offset: eocd, problem: "ZIP64 sizes without a ZIP64 locator")
            }
            let record = u64(locator + 8)
            guard record >= 0, record + 56 <= n, u32(record) == 0x0606_4B50 else {
                throw .malformedBinary(file: file, offset: locator, problem: "ZIP64 end record missing")
            }
            count = u64(record + 32)
            directorySize = u64(record + 40)
            directoryOffset = u64(record + 48)
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset + directorySize <= n else {
            throw .malformedBinary(file: file, offset: eocd, problem: "central directory lies outside the file")
        }
        var members: [Member] = []
        var at = directoryOffset
        for _ in 0..<count {
            guard at + 46 <= n, u32(at) == 0x0201_4B50 else {
                throw .malformedBinary(file: file, offset: at, problem: "bad central directory entry")
            }
            let flags = u16(at + 8)
            let method = u16(at + 10)
            let crc = UInt32(u32(at + 16))
            var compressed = u32(at + 20), size = u32(at + 24)
            let nameLength = u16(at + 28), extraLength = u16(at + 30), commentLength = u16(at + 32)
            var local = u32(at + 42)
            guard at + 46 + nameLength + extraLength + commentLength <= n else {
                throw .malformedBinary(file: file, offset: at, problem: "central directory entry runs past the end")
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: p[(at + 46)..<(at + 46 + nameLength)]), as: UTF8.self)
            guard flags & 1 == 0 else { throw .malformedBinary(file: file, offset: at, problem: "member \(name) is encrypted") }
            // ZIP64 extra field: the 8-byte values of whichever 4-byte fields are 0xFFFFFFFF, in order.
            var e = at + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = u16(e), length = u16(e + 2)
                if id == 0x0001 {
                    var f = e + 4
                    if size == 0xFFFF_FFFF, f + 8 <= e + 4 + length { size = u64(f); f += 8 }
                    if compressed == 0xFFFF_FFFF, f + 8 <= e + 4 + length { compressed = u64(f); f += 8 }
                    if local == 0xFFFF_FFFF, f + 8 <= e + 4 + length { local = u64(f); f += 8 }
                }
                e += 4 + length
            }
            members.append(Member(name: name, method: method, crc: crc, compressedSize: compressed, size: size,
                                  localHeaderOffset: local))
            at += 46 + nameLength + extraLength + commentLength
        }
        return members
    }

    /// A member's stored (possibly deflated) bytes after its local header checks, and their offset
    /// in the file.
    static func storedBytes(of member: Member, in p: UnsafeRawBufferPointer,
                            file: String) throws(DataIOError) -> (bytes: UnsafeRawBufferPointer, offset: Int) {
        let n = p.count, at = member.localHeaderOffset
        guard at >= 0, at + 30 <= n, p.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian == 0x0403_4B50 else {
            throw .malformedBinary(file: file, offset: max(0, at), problem: "member \(member.name): bad local header")
        }
        let nameLength = Int(p.loadUnaligned(fromByteOffset: at + 26, as: UInt16.self).littleEndian)
        let extraLength = Int(p.loadUnaligned(fromByteOffset: at + 28, as: UInt16.self).littleEndian)
        let start = at + 30 + nameLength + extraLength
        guard member.compressedSize >= 0, member.size >= 0, start + member.compressedSize <= n else {
            throw .malformedBinary(file: file, offset: start, problem: "member \(member.name) runs past the end of the file")
        }
        return (UnsafeRawBufferPointer(rebasing: p[start..<(start + member.compressedSize)]), start)
    }

    /// A member's bytes, inflated if deflated, checked against its CRC-32.
    static func contents(of member: Member, in p: UnsafeRawBufferPointer, file: String) throws(DataIOError) -> [UInt8] {
        let at = member.localHeaderOffset
        let (source, start) = try storedBytes(of: member, in: p, file: file)
        var out: [UInt8]
        switch member.method {
        case 0:
            guard member.size == member.compressedSize else {
                throw .malformedBinary(file: file, offset: at, problem: "member \(member.name): stored sizes differ")
            }
            out = Array(source)
        case 8:
            // Deflate cannot expand data more than 1032:1; a larger declared size is corrupt,
            // and refusing it keeps a damaged header from allocating terabytes.
            guard member.size <= 1032 * member.compressedSize + 1024 else {
                throw .malformedBinary(file: file, offset: at, problem: "member \(member.name) declares \(member.size) bytes from \(member.compressedSize) compressed: corrupt")
            }
            out = try inflate(source, size: member.size, name: member.name, file: file, offset: start)
        default:
            throw .malformedBinary(file: file, offset: at, problem: "member \(member.name) uses compression method \(member.method); only stored (0) and deflate (8) are supported")
        }
        let crc = out.withUnsafeBufferPointer { b in
            UInt32(crc32_z(0, b.baseAddress, b.count))
        }
        guard crc == member.crc else {
            throw .malformedBinary(file: file, offset: start, problem: "member \(member.name): CRC-32 mismatch (file damaged)")
        }
        return out
    }

    /// Raw deflate → exactly `size` bytes.
    static func inflate(_ source: UnsafeRawBufferPointer, size: Int, name: String, file: String, offset: Int) throws(DataIOError) -> [UInt8] {
        var stream = z_stream()
        var status = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw .malformedBinary(file: file, offset: offset, problem: "zlib inflateInit2 failed (\(status))")
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: size)
        var failure: DataIOError?
        out.withUnsafeMutableBufferPointer { dst in
            var produced = 0
            var consumed = 0
            repeat {
                // avail_in/avail_out are 32-bit; feed at most 1 GiB at a time.
                let inChunk = min(source.count - consumed, 1 << 30)
                let outChunk = min(dst.count - produced, 1 << 30)
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self).advanced(by: consumed))
                stream.avail_in = uInt(inChunk)
                stream.next_out = dst.baseAddress?.advanced(by: produced)
                stream.avail_out = uInt(outChunk)
                status = _CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += inChunk - Int(stream.avail_in)
                produced += outChunk - Int(stream.avail_out)
                if status == Z_STREAM_END { break }
                if status != Z_OK || (inChunk == 0 && outChunk == 0) {
                    let message = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                    failure = .malformedBinary(file: file, offset: offset + consumed,
                                               problem: "member \(name): cannot inflate: \(status == Z_BUF_ERROR ? "data ends early or is longer than declared" : message)")
                    return
                }
            } while true
            if produced != dst.count {
                failure = .malformedBinary(file: file, offset: offset + consumed,
                                           problem: "member \(name): inflates to \(produced) bytes, the directory says \(dst.count)")
            }
        }
        if let failure { throw failure }
        return out
    }

    /// A stored (uncompressed) archive of `members`, as `numpy.savez` writes. ZIP64 records are
    /// used when a member or the archive passes 4 GiB.
    static func storedArchive(_ members: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(members.reduce(0) { $0 + $1.bytes.count + 128 } + 256)
        func le16(_ v: Int) { out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)) }
        func le32(_ v: Int) { for k in 0..<4 { out.append(UInt8((v >> (8 * k)) & 0xFF)) } }
        func le64(_ v: Int) { for k in 0..<8 { out.append(UInt8((v >> (8 * k)) & 0xFF)) } }
        let limit = 0xFFFF_FFFF
        var directory: [(name: [UInt8], crc: Int, size: Int, offset: Int)] = []
        for member in members {
            let name = Array(member.name.utf8)
            let crc = member.bytes.withUnsafeBufferPointer { Int(crc32_z(0, $0.baseAddress, $0.count)) }
            let offset = out.count
            let big = member.bytes.count >= limit
            le32(0x0403_4B50); le16(big ? 45 : 20); le16(0); le16(0); le16(0); le16(0x21)  // version, flags, stored, time, date
            le32(crc)
            le32(big ? limit : member.bytes.count); le32(big ? limit : member.bytes.count)
            le16(name.count); le16(big ? 20 : 0)
            out += name
            if big { le16(1); le16(16); le64(member.bytes.count); le64(member.bytes.count) }
            out += member.bytes
            directory.append((name, crc, member.bytes.count, offset))
        }
        let directoryOffset = out.count
        for entry in directory {
            let big = entry.size >= limit || entry.offset >= limit
            le32(0x0201_4B50); le16(45); le16(big ? 45 : 20); le16(0); le16(0); le16(0); le16(0x21)
            le32(entry.crc)
            le32(big ? limit : entry.size); le32(big ? limit : entry.size)
            le16(entry.name.count); le16(big ? 28 : 0); le16(0); le16(0); le16(0); le32(0)
            le32(big ? limit : entry.offset)
            out += entry.name
            if big { le16(1); le16(24); le64(entry.size); le64(entry.size); le64(entry.offset) }
        }
        let directorySize = out.count - directoryOffset
        if directoryOffset >= limit || directory.count >= 0xFFFF {
            let record = out.count
            le32(0x0606_4B50); le64(44); le16(45); le16(45); le32(0); le32(0)
            le64(directory.count); le64(directory.count); le64(directorySize); le64(directoryOffset)
            le32(0x0706_4B50); le32(0); le64(record); le32(1)
            le32(0x0605_4B50); le16(0); le16(0); le16(0xFFFF); le16(0xFFFF); le32(limit); le32(limit); le16(0)
        } else {
            le32(0x0605_4B50); le16(0); le16(0); le16(directory.count); le16(directory.count)
            le32(directorySize); le32(directoryOffset); le16(0)
        }
        return out
    }
}
