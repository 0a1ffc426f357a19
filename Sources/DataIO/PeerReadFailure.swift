/// A member stopped because another member failed to read its input (that member reports it).
public struct PeerReadFailure: Error, CustomStringConvertible {
    public let rank: Int
    public var description: String { "rank \(rank) could not read its part of the input" }
}
