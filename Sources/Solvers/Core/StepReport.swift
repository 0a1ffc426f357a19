/// What one iteration reports to the driver.
public struct StepReport: Sendable {
    public enum Status: Sendable, Equatable {
        /// Keep going.
        case proceed
        /// The method is at its fixed point; the driver stops with `.methodConverged`.
        case converged
        /// No decrease could be found; the driver stops with `.lineSearchFailed`.
        case lineSearchFailed
    }
    public var status: Status
    public var stepSize: Double?
    public var extras: [String: Double]

    public init(status: Status = .proceed, stepSize: Double? = nil, extras: [String: Double] = [:]) {
        self.status = status
        self.stepSize = stepSize
        self.extras = extras
    }
}
