import Foundation
import LinearAlgebra

public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case damaged(String)
    /// The checkpoint belongs to another run (other data, method or options).
    case mismatch(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): \(reason)"
        case let .damaged(m): return "damaged checkpoint: \(m)"
        case let .mismatch(m): return "checkpoint refused: \(m)"
        case let .unsupported(m): return "cannot checkpoint: \(m)"
        }
    }
}
