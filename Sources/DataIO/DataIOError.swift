/// A problem with an input or output file. Every case names the file; parse errors name the
/// line (1-based) or byte offset too, so a user can open the file at the right place.
public enum DataIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// A malformed line.
    case malformed(file: String, line: Int, problem: String)
    /// A malformed binary file (byte offset of the problem).
    case malformedBinary(file: String, offset: Int, problem: String)
    /// The content parses but is unusable (empty, wrong shape, not symmetric, ...).
    case invalidContent(file: String, problem: String)
    /// Writing failed; any earlier file at that path is left intact.
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read: \(reason)"
        case let .malformed(file, line, problem): return "\(file):\(line): \(problem)"
        case let .malformedBinary(file, offset, problem): return "\(file): byte \(offset): \(problem)"
        case let .invalidContent(file, problem): return "\(file): \(problem)"
        case let .writeFailed(file, reason): return "\(file): cannot write: \(reason)"
        }
    }
}
