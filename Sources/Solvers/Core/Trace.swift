import LinearAlgebra

/// One row of a run's trace: the state after `iteration` iterations (0 = the starting point).
public struct TraceEntry: Codable, Sendable, Equatable {
    public var iteration: Int
    /// Wall-clock seconds since the run started (including the method's set-up).
    public var seconds: Double
    /// The masked loss L(V).
    public var loss: Double
    /// ‖∇L(V)‖_F where the method computes it.
    public var gradientNorm: Double?
    /// The step length taken by this iteration (line-search step, learning rate, ...).
    public var stepSize: Double?
    /// Method-specific figures (e.g. `evaluations` in the line search, `diagonalChange`).
    public var extras: [String: Double]

    public init(iteration: Int, seconds: Double, loss: Double, gradientNorm: Double? = nil,
                stepSize: Double? = nil, extras: [String: Double] = [:]) {
        self.iteration = iteration
        self.seconds = seconds
        self.loss = loss
        self.gradientNorm = gradientNorm
        self.stepSize = stepSize
        self.extras = extras
    }
}
