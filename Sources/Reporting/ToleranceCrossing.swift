/// Where a series first came within a tolerance of the best loss.
public struct ToleranceCrossing: Codable, Sendable, Equatable {
    public var iteration: Int
    public var seconds: Double

    public init(iteration: Int, seconds: Double) {
        self.iteration = iteration
        self.seconds = seconds
    }
}
