import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a whole file once as bytes: every text reader in DataIO scans bytes directly, which is
/// an order of magnitude faster than splitting `String`s and keeps byte offsets exact.
enum FileBytes {
    /// The file's contents, or `.unreadable` naming the file and the system's reason.
    static func read(_ url: URL) throws(DataIOError) -> [UInt8] {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) != S_IFDIR else { throw .unreadable(file: path, reason: "is a directory") }
        // Read straight into an array sized from fstat; keep reading in case the file grew.
        let expected = max(0, Int(st.st_size))
        var failure: Int32 = 0
        var out = [UInt8](unsafeUninitializedCapacity: expected + 1) { buffer, count in
            while count < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                count += n
            }
        }
        guard failure == 0 else { throw .unreadable(file: path, reason: String(cString: strerror(failure))) }
        if out.count == expected + 1 {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .unreadable(file: path, reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                out.append(contentsOf: chunk[0..<n])
            }
        }
        return out
    }
}

/// Byte constants used by the scanners.
enum ASCII {
    static let lf: UInt8 = 10, cr: UInt8 = 13, tab: UInt8 = 9, space: UInt8 = 32
    static let comma: UInt8 = 44, quote: UInt8 = 34, minus: UInt8 = 45, plus: UInt8 = 43
    static let dot: UInt8 = 46, zero: UInt8 = 48, nine: UInt8 = 57, percent: UInt8 = 37
}

/// Number parsing straight from bytes.
enum ByteNumber {
    /// Exact powers of ten representable in a `Double` (10^0 … 10^22).
    static let exactPowers: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// The optional sign that starts a number in `p[start..<end]`: whether it is `-`, and where the
    /// rest begins; nil when nothing (or nothing but the sign) is there.
    @inline(__always)
    static func sign(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (negative: Bool, rest: Int)? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if p[i] == ASCII.minus || p[i] == ASCII.plus {
            negative = p[i] == ASCII.minus
            i += 1
            guard i < end else { return nil }
        }
        return (negative, i)
    }

    /// Parses a decimal integer (`[+-]?[0-9]+`) in `p[start..<end]`; nil on any other byte or overflow.
    @inline(__always)
    static func parseInt(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        guard let (negative, first) = sign(p, start, end) else { return nil }
        var i = first
        var value = 0
        while i < end {
            let d = Int(p[i]) &- 48
            guard d >= 0, d <= 9 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            value = s
            i += 1
        }
        return value
    }

    /// Parses a decimal floating-point number in `p[start..<end]` with correct rounding:
    /// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, or `nan`, `inf`, `infinity`
    /// (any case, optionally signed). Returns nil for anything else (including hex and spaces).
    ///
    /// Values with at most 19 significant digits whose scaled mantissa fits in 2^53 and whose
    /// decimal exponent is within ±22 are computed with one exact IEEE operation (Clinger's fast
    /// path), so "4.5", "3", "0.5", "4.0e0" come out exactly as `Double(String)` would; the rare
    /// rest goes through `strtod`, which glibc rounds correctly.
    static func parseDouble(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        guard let (negative, first) = sign(p, start, end) else { return nil }
        var i = first
        let c0 = p[i] | 0x20
        if c0 == UInt8(ascii: "n") || c0 == UInt8(ascii: "i") {
            let word = String(decoding: UnsafeBufferPointer(rebasing: p[i..<end]), as: UTF8.self).lowercased()
            switch word {
            case "nan": return .nan
            case "inf", "infinity": return negative ? -.infinity : .infinity
            default: return nil
            }
        }
        var mantissa: UInt64 = 0
        var significant = 0       // significant digits accumulated into mantissa
        var dropped = false       // a non-zero digit did not fit into mantissa
        var exponent = 0          // decimal exponent adjustment from the fraction / dropped digits
        var sawDigit = false
        while i < end, p[i] >= ASCII.zero, p[i] <= ASCII.nine {
            sawDigit = true
            let d = UInt64(p[i] - ASCII.zero)
            if significant < 19 {
                if mantissa != 0 || d != 0 { significant += 1 }
                mantissa = mantissa * 10 + d
            } else {
                exponent += 1
                if d != 0 { dropped = true }
            }
            i += 1
        }
        if i < end, p[i] == ASCII.dot {
            i += 1
            while i < end, p[i] >= ASCII.zero, p[i] <= ASCII.nine {
                sawDigit = true
                let d = UInt64(p[i] - ASCII.zero)
                if significant < 19 {
                    if mantissa != 0 || d != 0 { significant += 1 }
                    mantissa = mantissa * 10 + d
                    exponent -= 1
                } else if d != 0 {
                    dropped = true
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < end, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            guard let (expNegative, digits) = sign(p, i, end) else { return nil }
            i = digits
            var e = 0
            var expDigits = false
            while i < end, p[i] >= ASCII.zero, p[i] <= ASCII.nine {
                expDigits = true
                if e < 100_000 { e = e * 10 + Int(p[i] - ASCII.zero) }
                i += 1
            }
            guard expDigits else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == end else { return nil }
        if mantissa == 0 && !dropped { return negative ? -0.0 : 0.0 }
        if !dropped, mantissa <= (1 << 53), exponent >= -22, exponent <= 22 {
            let m = Double(mantissa)
            let v = exponent >= 0 ? m * exactPowers[exponent] : m / exactPowers[-exponent]
            return negative ? -v : v
        }
        return slowParse(p, start, end)
    }

    /// Correctly rounded conversion of an already validated decimal through `strtod`.
    static func slowParse(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var text = [CChar](repeating: 0, count: end - start + 1)
        for k in start..<end { text[k - start] = CChar(bitPattern: p[k]) }
        return text.withUnsafeBufferPointer { buf -> Double? in
            var endPtr: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &endPtr)
            guard let endPtr, endPtr - UnsafeMutablePointer(mutating: buf.baseAddress!) == end - start else { return nil }
            return v
        }
    }
}

extension ByteNumber {
    /// Parses a whole string (tests and small headers).
    static func parseDouble(_ s: String) -> Double? {
        let bytes = Array(s.utf8)
        return bytes.withUnsafeBufferPointer { parseDouble($0, 0, $0.count) }
    }
}

/// Formatting helpers shared by the writers.
enum TextFormat {
    /// Shortest decimal that reads back to the same `Double` (Swift's `description`, which
    /// Python's `float()` and `strtod` both accept: "0.1", "1e-05", "-inf", "nan").
    @inline(__always)
    static func number(_ x: Double) -> String { x.description }

    /// A field quoted per RFC 4180 when it contains a comma, quote, CR or LF.
    static func csvField(_ s: String) -> String {
        if s.utf8.contains(where: { $0 == ASCII.comma || $0 == ASCII.quote || $0 == ASCII.cr || $0 == ASCII.lf }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// A short printable excerpt of bytes for error messages.
    static func excerpt(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, limit: Int = 40) -> String {
        let stop = min(end, start + limit)
        var s = String(decoding: UnsafeBufferPointer(rebasing: p[start..<stop]), as: UTF8.self)
        if stop < end { s += "…" }
        return "\"" + s + "\""
    }
}
