/// The loss trace of one solver, in recorded order.
public struct ConvergenceSeries: Codable, Sendable, Equatable {
    /// Must equal the matching ``ReportRow/solver``.
    public var solver: String
    public var points: [ConvergencePoint]

    public init(solver: String, points: [ConvergencePoint]) {
        self.solver = solver
        self.points = points
    }

    /// Tuple form so solver loops can build traces without naming the point type.
    /// Disfavoured so `points: []` picks the primary initialiser instead of being ambiguous.
    @_disfavoredOverload
    public init(solver: String, points: [(iteration: Int, seconds: Double, loss: Double)]) {
        self.solver = solver
        self.points = points.map { ConvergencePoint(iteration: $0.iteration, seconds: $0.seconds, loss: $0.loss) }
    }
}
