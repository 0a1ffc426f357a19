import Foundation
import LinearAlgebra

/// Named fields of a checkpoint, written as one versioned, little-endian binary file with a
/// CRC-32 (see docs/formats.md, "Checkpoints"). Fields are looked up by name, so a method's
/// state can add fields without a positional layout to keep in step.
public struct CheckpointRecord: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case int(Int64)
        case uint(UInt64)
        case double(Double)
        case ints([Int64])
        case doubles([Double])
        case text(String)

        var typeCode: UInt8 {
            switch self {
            case .int: return 1
            case .uint: return 2
            case .double: return 3
            case .ints: return 4
            case .doubles: return 5
            case .text: return 6
            }
        }

        var typeName: String {
            switch self {
            case .int: return "integer"
            case .uint: return "unsigned integer"
            case .double: return "number"
            case .ints: return "integer array"
            case .doubles: return "number array"
            case .text: return "text"
            }
        }
    }

    public static let magic: [UInt8] = Array("COEMBCKP".utf8)
    public static let version: UInt32 = 1

    public private(set) var fields: [(key: String, value: Value)] = []
    private var index: [String: Int] = [:]

    public init() {}

    public static func == (a: CheckpointRecord, b: CheckpointRecord) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public subscript(key: String) -> Value? {
        get { index[key].map { fields[$0].value } }
        set {
            if let i = index[key] {
                if let newValue { fields[i].value = newValue } else { remove(at: i) }
            } else if let newValue {
                index[key] = fields.count
                fields.append((key, newValue))
            }
        }
    }

    private mutating func remove(at i: Int) {
        fields.remove(at: i)
        index = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1.key, $0) })
    }

    // MARK: typed access

    public mutating func set(_ key: String, _ v: Int) { self[key] = .int(Int64(v)) }
    public mutating func set(_ key: String, _ v: UInt64) { self[key] = .uint(v) }
    public mutating func set(_ key: String, _ v: Double) { self[key] = .double(v) }
    public mutating func set(_ key: String, _ v: Bool) { self[key] = .int(v ? 1 : 0) }
    public mutating func set(_ key: String, _ v: [Int]) { self[key] = .ints(v.map(Int64.init)) }
    public mutating func set(_ key: String, _ v: [Double]) { self[key] = .doubles(v) }
    public mutating func set(_ key: String, _ v: String) { self[key] = .text(v) }
    /// A matrix as `key.rows`, `key.columns` and its column-major entries in `key`.
    public mutating func set(_ key: String, _ m: Matrix) {
        set(key + ".rows", m.rows)
        set(key + ".columns", m.columns)
        self[key] = .doubles(m.storage)
    }

    private func value(_ key: String) throws -> Value {
        guard let v = self[key] else { throw CheckpointError.damaged("field '\(key)' is missing") }
        return v
    }

    private func mismatch(_ key: String, _ wanted: String, _ got: Value) -> CheckpointError {
        .damaged("field '\(key)' should be a \(wanted), it is a \(got.typeName)")
    }

    public func int(_ key: String) throws -> Int {
        let v = try value(key)
        guard case let .int(x) = v, let out = Int(exactly: x) else { throw mismatch(key, "integer", v) }
        return out
    }

    public func uint(_ key: String) throws -> UInt64 {
        let v = try value(key)
        guard case let .uint(x) = v else { throw mismatch(key, "unsigned integer", v) }
        return x
    }

    public func double(_ key: String) throws -> Double {
        let v = try value(key)
        guard case let .double(x) = v else { throw mismatch(key, "number", v) }
        return x
    }

    public func bool(_ key: String) throws -> Bool { try int(key) != 0 }

    public func ints(_ key: String, count: Int? = nil) throws -> [Int] {
        let v = try value(key)
        guard case let .ints(x) = v else { throw mismatch(key, "integer array", v) }
        if let count, x.count != count { throw CheckpointError.damaged("field '\(key)' has \(x.count) entries, expected \(count)") }
        return x.map { Int(truncatingIfNeeded: $0) }
    }

    public func doubles(_ key: String, count: Int? = nil) throws -> [Double] {
        let v = try value(key)
        guard case let .doubles(x) = v else { throw mismatch(key, "number array", v) }
        if let count, x.count != count { throw CheckpointError.damaged("field '\(key)' has \(x.count) entries, expected \(count)") }
        return x
    }

    public func text(_ key: String) throws -> String {
        let v = try value(key)
        guard case let .text(x) = v else { throw mismatch(key, "text", v) }
        return x
    }

    public func matrix(_ key: String, rows: Int? = nil, columns: Int? = nil) throws -> Matrix {
        let r = try int(key + ".rows"), c = try int(key + ".columns")
        guard r >= 0, c >= 0, rows == nil || rows == r, columns == nil || columns == c else {
            throw CheckpointError.damaged("matrix '\(key)' is \(r)×\(c), expected \(rows ?? r)×\(columns ?? c)")
        }
        let entries = try doubles(key, count: r * c)
        var m = Matrix(rows: r, columns: c)
        m.storage = entries
        return m
    }

    // MARK: bytes

    /// The file's bytes: header (magic, version, payload length), payload, CRC-32 of the payload.
    public func encoded() -> [UInt8] {
        var out = Self.magic
        Self.append(Self.version, to: &out)
        Self.append(UInt64(0), to: &out) // payload length, patched below
        let headerSize = out.count
        out.reserveCapacity(fields.reduce(headerSize + 64) { $0 + 32 + $1.key.utf8.count + Self.size($1.value) })
        Self.append(UInt32(fields.count), to: &out)
        for (key, value) in fields {
            let k = Array(key.utf8)
            Self.append(UInt16(k.count), to: &out)
            out += k
            out.append(value.typeCode)
            switch value {
            case let .int(x): Self.append(UInt64(bitPattern: x), to: &out)
            case let .uint(x): Self.append(x, to: &out)
            case let .double(x): Self.append(x.bitPattern, to: &out)
            case let .ints(xs):
                Self.append(UInt64(xs.count), to: &out)
                Self.appendWords(xs, to: &out)
            case let .doubles(xs):
                Self.append(UInt64(xs.count), to: &out)
                Self.appendWords(xs, to: &out)
            case let .text(s):
                let b = Array(s.utf8)
                Self.append(UInt64(b.count), to: &out)
                out += b
            }
        }
        let length = UInt64(out.count - headerSize)
        withUnsafeBytes(of: length.littleEndian) { b in for k in 0..<8 { out[headerSize - 8 + k] = b[k] } }
        Self.append(CRC32.checksum(out[headerSize...]), to: &out)
        return out
    }

    static let hostIsLittleEndian = 1.littleEndian == 1

    /// 8-byte little-endian words (a plain copy on little-endian hosts).
    private static func appendWords<T>(_ xs: [T], to out: inout [UInt8]) {
        precondition(MemoryLayout<T>.size == 8)
        if hostIsLittleEndian {
            xs.withUnsafeBytes { out += $0 }
        } else {
            xs.withUnsafeBytes { raw in
                for i in 0..<xs.count { append(raw.load(fromByteOffset: 8 * i, as: UInt64.self), to: &out) }
            }
        }
    }

    private static func size(_ v: Value) -> Int {
        switch v {
        case .int, .uint, .double: return 8
        case let .ints(x): return 8 * x.count
        case let .doubles(x): return 8 * x.count
        case let .text(s): return s.utf8.count
        }
    }

    private static func append<T: FixedWidthInteger>(_ x: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: x.littleEndian) { out += $0 }
    }

    /// Parses a checkpoint file's bytes; `file` names it in errors.
    public init(decoding bytes: [UInt8], file: String) throws {
        func fail(_ why: String) -> CheckpointError { .unreadable(file: file, reason: why) }
        let headerSize = Self.magic.count + 4 + 8
        guard bytes.count >= headerSize + 4, Array(bytes[0..<Self.magic.count]) == Self.magic else {
            throw fail("not a coembed checkpoint (no COEMBCKP header)")
        }
        var reader = ByteReader(bytes: bytes, offset: Self.magic.count)
        let version: UInt32 = try reader.read().orThrow(fail("truncated header"))
        guard version == Self.version else {
            throw fail("checkpoint format version \(version); this coembed reads version \(Self.version)")
        }
        let length: UInt64 = try reader.read().orThrow(fail("truncated header"))
        guard length == UInt64(bytes.count - headerSize - 4) else {
            throw fail("truncated or padded: the header declares \(length) payload bytes, the file has \(bytes.count - headerSize - 4)")
        }
        let payload = bytes[headerSize..<(bytes.count - 4)]
        var crcReader = ByteReader(bytes: bytes, offset: bytes.count - 4)
        let stored: UInt32 = try crcReader.read().orThrow(fail("truncated checksum"))
        guard CRC32.checksum(payload) == stored else { throw fail("checksum mismatch: the file is damaged") }
        let count: UInt32 = try reader.read().orThrow(fail("truncated field count"))
        for _ in 0..<count {
            let keyLength: UInt16 = try reader.read().orThrow(fail("truncated field name"))
            let keyBytes = try reader.bytes(Int(keyLength)).orThrow(fail("truncated field name"))
            guard let key = String(validating: keyBytes, as: UTF8.self) else { throw fail("field name is not UTF-8") }
            let code = try reader.bytes(1).orThrow(fail("truncated field '\(key)'")).first!
            let value: Value
            switch code {
            case 1: value = .int(Int64(bitPattern: try reader.read().orThrow(fail("truncated field '\(key)'"))))
            case 2: value = .uint(try reader.read().orThrow(fail("truncated field '\(key)'")))
            case 3: value = .double(Double(bitPattern: try reader.read().orThrow(fail("truncated field '\(key)'"))))
            case 4, 5, 6:
                let n: UInt64 = try reader.read().orThrow(fail("truncated field '\(key)'"))
                let width = code == 6 ? 1 : 8
                guard n <= UInt64(reader.remaining / width) else { throw fail("field '\(key)' declares \(n) entries past the end of the file") }
                if code == 6 {
                    let b = try reader.bytes(Int(n)).orThrow(fail("truncated field '\(key)'"))
                    guard let s = String(validating: b, as: UTF8.self) else { throw fail("field '\(key)' is not UTF-8") }
                    value = .text(s)
                } else {
                    let words = try reader.words(Int(n)).orThrow(fail("truncated field '\(key)'"))
                    value = code == 4 ? .ints(words.map { Int64(bitPattern: $0) }) : .doubles(words.map { Double(bitPattern: $0) })
                }
            default:
                throw fail("field '\(key)' has unknown type code \(code)")
            }
            guard self[key] == nil else { throw fail("field '\(key)' appears twice") }
            self[key] = value
        }
        guard reader.remaining == 4 else { throw fail("\(reader.remaining - 4) stray bytes after the last field") }
    }

    public static func read(from url: URL) throws -> CheckpointRecord {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError.unreadable(file: url.path, reason: "cannot read: \((error as NSError).localizedDescription)")
        }
        return try CheckpointRecord(decoding: Array(data), file: url.path)
    }
}

private struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    var remaining: Int { bytes.count - offset }

    mutating func read<T: FixedWidthInteger>() -> T? {
        let n = MemoryLayout<T>.size
        guard remaining >= n else { return nil }
        var x: T = 0
        for k in 0..<n { x |= T(bytes[offset + k]) << (8 * k) }
        offset += n
        return x
    }

    mutating func words(_ n: Int) -> [UInt64]? {
        guard n >= 0, remaining / 8 >= n else { return nil }
        var out = [UInt64](repeating: 0, count: n)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBytes { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 8 * n)]))
            }
        }
        if !CheckpointRecord.hostIsLittleEndian { out = out.map { UInt64(littleEndian: $0) } }
        offset += 8 * n
        return out
    }

    mutating func bytes(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, remaining >= n else { return nil }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }
}

private extension Optional {
    func orThrow(_ error: @autoclosure () -> Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as in zlib and PNG.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}
