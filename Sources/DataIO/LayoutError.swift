/// A `--columns`/`--sep` argument that cannot be understood.
public struct LayoutError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
