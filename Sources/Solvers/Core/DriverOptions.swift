import LinearAlgebra

/// Stopping rules and hooks for one run. Every rule is checked by the driver after every
/// iteration, whatever the method.
public struct DriverOptions {
    /// Stop after this many iterations.
    public var maxIterations: Int
    /// Stop when this many wall-clock seconds have passed (nil = no limit).
    public var timeLimit: Double?
    /// Stop when (L_prev − L) ≤ relativeTolerance · L over one iteration (0 disables).
    public var relativeTolerance: Double
    /// Stop when ‖∇L‖_F ≤ gradientTolerance (0 disables; methods without a gradient ignore it).
    public var gradientTolerance: Double
    /// Called with every trace entry; return `false` to stop the run (`.stoppedByCallback`).
    public var callback: ((TraceEntry) -> Bool)?
    /// A stop request from outside (signals): checked between iterations and, by the sampled
    /// methods, every batch. The run ends with `.interrupted`.
    public var stop: StopToken?
    /// Snapshots to write and a snapshot to continue from (see `CheckpointPolicy`).
    public var checkpointing: CheckpointPolicy?

    public init(maxIterations: Int = RunSettings().maxIterations, timeLimit: Double? = RunSettings().timeLimit,
                relativeTolerance: Double = RunSettings().relativeTolerance,
                gradientTolerance: Double = RunSettings().gradientTolerance, callback: ((TraceEntry) -> Bool)? = nil) {
        self.maxIterations = maxIterations
        self.timeLimit = timeLimit
        self.relativeTolerance = relativeTolerance
        self.gradientTolerance = gradientTolerance
        self.callback = callback
    }

    func validate() throws {
        guard maxIterations >= 0 else { throw ProblemError.invalidOption("maxIterations must be ≥ 0, got \(maxIterations)") }
        if let t = timeLimit, !(t > 0) || !t.isFinite { throw ProblemError.invalidOption("timeLimit must be a positive number of seconds, got \(t)") }
        guard relativeTolerance >= 0, relativeTolerance.isFinite else { throw ProblemError.invalidOption("relativeTolerance must be ≥ 0, got \(relativeTolerance)") }
        guard gradientTolerance >= 0, gradientTolerance.isFinite else { throw ProblemError.invalidOption("gradientTolerance must be ≥ 0, got \(gradientTolerance)") }
    }
}
