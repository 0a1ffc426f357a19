/// An extra named column (e.g. HitRate@10). A list rather than a dictionary so
/// the column order chosen by the caller survives into every table format.
public struct Metric: Codable, Sendable, Equatable {
    public var name: String
    /// `nil` when the metric was not computed for this solver; rendered as a blank/dash.
    public var value: Double?

    public init(_ name: String, _ value: Double?) {
        self.name = name
        self.value = value
    }
}
