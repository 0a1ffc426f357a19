/// An RFC 4180 record reader over bytes: quoted fields may hold commas, doubled quotes and line
/// breaks, records end in LF or CRLF, and the last record may lack a line end. Each record
/// reports the line it starts on so errors can point into the file.
struct CSVReader {
    let bytes: [UInt8]
    let file: String
    /// Offset of the next unread byte.
    private(set) var position: Int
    /// 1-based line number at `position`.
    private(set) var line: Int

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        // A UTF-8 byte order mark is not part of the first field.
        self.position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        self.line = 1
    }

    var atEnd: Bool { position >= bytes.count }

    /// The next record as (line it starts on, fields), or nil at the end of the file. An empty
    /// line is returned as a single empty field, so callers can report it.
    mutating func next() throws(DataIOError) -> (line: Int, fields: [String])? {
        guard position < bytes.count else { return nil }
        let startLine = line
        var line = self.line
        var i = position
        let file = self.file
        let result: Result<[String], DataIOError> = bytes.withUnsafeBufferPointer { p in
            let n = p.count
            var fields: [String] = []
            var field: [UInt8] = []
            while true {
                if i < n, p[i] == ASCII.quote {
                    let quoteLine = line
                    field.removeAll(keepingCapacity: true)
                    i += 1
                    var closed = false
                    while i < n {
                        let b = p[i]
                        if b == ASCII.quote {
                            if i + 1 < n, p[i + 1] == ASCII.quote {
                                field.append(ASCII.quote)
                                i += 2
                                continue
                            }
                            i += 1
                            closed = true
                            break
                        }
                        if b == ASCII.lf { line += 1 }
                        field.append(b)
                        i += 1
                    }
                    guard closed else {
                        return .failure(.malformed(file: file, line: quoteLine,
                                                   problem: "quoted field in field \(fields.count + 1) is never closed"))
                    }
                    if i < n, p[i] != ASCII.comma, p[i] != ASCII.lf, !(p[i] == ASCII.cr && (i + 1 == n || p[i + 1] == ASCII.lf)) {
                        return .failure(.malformed(file: file, line: line, problem:
                            "unexpected character after the closing quote of field \(fields.count + 1) (a quote inside a quoted field must be doubled)"))
                    }
                    fields.append(String(decoding: field, as: UTF8.self))
                } else {
                    let start = i
                    while i < n {
                        let b = p[i]
                        if b == ASCII.comma || b == ASCII.lf { break }
                        if b == ASCII.cr, i + 1 == n || p[i + 1] == ASCII.lf { break }
                        if b == ASCII.quote {
                            return .failure(.malformed(file: file, line: line, problem:
                                "double quote inside unquoted field \(fields.count + 1) (RFC 4180 requires the field to be quoted)"))
                        }
                        i += 1
                    }
                    fields.append(String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self))
                }
                if i < n, p[i] == ASCII.comma {
                    i += 1
                    continue
                }
                // End of record.
                if i < n, p[i] == ASCII.cr { i += 1 }
                if i < n, p[i] == ASCII.lf { i += 1; line += 1 }
                return .success(fields)
            }
        }
        let fields = try result.get()
        position = i
        self.line = line
        return (startLine, fields)
    }
}
