/// Walks text bytes line by line (LF or CRLF, last line with or without a line end), giving each
/// line's 1-based number and byte range without copying.
struct LineScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    private(set) var lineNumber = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) {
        self.bytes = bytes
        self.position = start
    }

    /// The next line's number and range (line end excluded), or nil after the last line.
    mutating func next() -> (line: Int, start: Int, end: Int)? {
        guard position < bytes.count else { return nil }
        lineNumber += 1
        let start = position
        var j = start
        while j < bytes.count, bytes[j] != ASCII.lf { j += 1 }
        position = j + 1
        var end = j
        if end > start, bytes[end - 1] == ASCII.cr { end -= 1 }
        return (lineNumber, start, end)
    }

    /// Splits `start..<end` at runs of spaces and tabs.
    static func tokens(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> [(start: Int, end: Int)] {
        var out: [(Int, Int)] = []
        var i = start
        while i < end {
            while i < end, p[i] == ASCII.space || p[i] == ASCII.tab { i += 1 }
            guard i < end else { break }
            let s = i
            while i < end, p[i] != ASCII.space, p[i] != ASCII.tab { i += 1 }
            out.append((s, i))
        }
        return out
    }

    /// True when `start..<end` holds only spaces and tabs.
    static func isBlank(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end {
            if p[i] != ASCII.space && p[i] != ASCII.tab { return false }
            i += 1
        }
        return true
    }
}
