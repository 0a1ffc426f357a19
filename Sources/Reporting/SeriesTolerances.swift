/// Time-to-tolerance for one series: `crossings[k]` is where it first came within
/// `tolerances[k]` of the best; `nil` means that tolerance was never reached.
public struct SeriesTolerances: Codable, Sendable, Equatable {
    public var solver: String
    public var tolerances: [Double]
    public var crossings: [ToleranceCrossing?]

    public init(solver: String, tolerances: [Double], crossings: [ToleranceCrossing?]) {
        precondition(tolerances.count == crossings.count, "one crossing per tolerance")
        self.solver = solver
        self.tolerances = tolerances
        self.crossings = crossings
    }

    /// The crossing of `tolerance` (one of `tolerances`); `nil` if never reached or not analysed.
    public func crossing(_ tolerance: Double) -> ToleranceCrossing? {
        tolerances.firstIndex(of: tolerance).flatMap { crossings[$0] }
    }
}
