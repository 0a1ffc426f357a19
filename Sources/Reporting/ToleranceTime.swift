/// When a row's recorded loss first came within `tolerance` (a relative gap) of the table's best
/// loss: one cell of the "time to …" columns.
public struct ToleranceTime: Codable, Sendable, Equatable {
    public var tolerance: Double
    /// Wall-clock seconds; `nil` when the gap never got that small (or the row has no trace).
    public var seconds: Double?

    public init(tolerance: Double, seconds: Double?) {
        self.tolerance = tolerance
        self.seconds = seconds
    }
}
