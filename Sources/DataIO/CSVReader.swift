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
        var fields: [String] = []
        var field: [UInt8] = []
        let n = bytes.count
        var i = position
        while true {
            field.removeAll(keepingCapacity: true)
            if i < n, bytes[i] == ASCII.quote {
                let quoteLine = line
                i += 1
                var closed = false
                while i < n {
                    let b = bytes[i]
                    if b == ASCII.quote {
                        if i + 1 < n, bytes[i + 1] == ASCII.quote {
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
                    throw .malformed(file: file, line: quoteLine, problem: "quoted field in field \(fields.count + 1) is never closed")
                }
                if i < n, bytes[i] != ASCII.comma, bytes[i] != ASCII.lf,
                   !(bytes[i] == ASCII.cr && (i + 1 == n || bytes[i + 1] == ASCII.lf)) {
                    throw .malformed(file: file, line: line,
                                     problem: "unexpected character after the closing quote of field \(fields.count + 1) (a quote inside a quoted field must be doubled)")
                }
            } else {
                while i < n {
                    let b = bytes[i]
                    if b == ASCII.comma || b == ASCII.lf { break }
                    if b == ASCII.cr, i + 1 == n || bytes[i + 1] == ASCII.lf { break }
                    if b == ASCII.quote {
                        throw .malformed(file: file, line: line,
                                         problem: "double quote inside unquoted field \(fields.count + 1) (RFC 4180 requires the field to be quoted)")
                    }
                    field.append(b)
                    i += 1
                }
            }
            fields.append(String(decoding: field, as: UTF8.self))
            if i < n, bytes[i] == ASCII.comma {
                i += 1
                continue
            }
            // End of record.
            if i < n, bytes[i] == ASCII.cr { i += 1 }
            if i < n, bytes[i] == ASCII.lf { i += 1; line += 1 }
            break
        }
        position = i
        return (startLine, fields)
    }
}
