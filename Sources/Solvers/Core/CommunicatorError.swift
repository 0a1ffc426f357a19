#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum CommunicatorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another participant failed; this one stopped at its next collective.
    case peerFailed(rank: Int, message: String)
    /// Buffers of different lengths were passed to one collective.
    case mismatchedBuffers(String)

    public var description: String {
        switch self {
        case let .peerFailed(rank, message): return "participant \(rank) failed: \(message)"
        case let .mismatchedBuffers(m): return "collective called with mismatched buffers: \(m)"
        }
    }
}
