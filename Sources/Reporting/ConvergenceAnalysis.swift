/// The best loss and per-series crossings, computed together so they agree.
public struct ConvergenceAnalysis: Codable, Sendable, Equatable {
    /// `nil` when no series has a finite loss.
    public var best: Double?
    /// One entry per input series, in input order.
    public var series: [SeriesTolerances]
}
