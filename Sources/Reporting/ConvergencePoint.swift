/// One recorded point of a loss trace.
public struct ConvergencePoint: Codable, Sendable, Equatable {
    public var iteration: Int
    /// Wall-clock seconds since the solver started (including setup the caller chose to count).
    public var seconds: Double
    public var loss: Double

    public init(iteration: Int, seconds: Double, loss: Double) {
        self.iteration = iteration
        self.seconds = seconds
        self.loss = loss
    }
}
