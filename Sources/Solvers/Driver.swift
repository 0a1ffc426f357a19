import Foundation
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

    public init(maxIterations: Int = 1000, timeLimit: Double? = nil, relativeTolerance: Double = 1e-12,
                gradientTolerance: Double = 0, callback: ((TraceEntry) -> Bool)? = nil) {
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

/// The one loop every method runs in: counts iterations, applies the stopping rules, records the
/// trace, calls the callback and watches the clock.
public enum Driver {
    /// Runs `method` on `problem` at dimension `dimension` from `start` (required when the method
    /// needs one; ignored otherwise) and returns the result.
    public static func run<Method: SolverMethod>(
        _ method: Method, problem: Problem, dimension: Int, start: Matrix? = nil,
        initialization: String? = nil, seed: UInt64 = 0, options: DriverOptions = DriverOptions()
    ) throws -> SolverResult {
        try options.validate()
        try problem.validate(dimension: dimension)
        if let start {
            guard start.rows == problem.itemCount, start.columns == dimension else {
                throw ProblemError.shapeMismatch("starting embedding is \(start.rows)×\(start.columns), the problem needs \(problem.itemCount)×\(dimension)")
            }
            guard start.isFinite else { throw ProblemError.nonFinite("the starting embedding has NaN or infinite entries") }
        } else if method.needsStart && options.checkpointing?.resume == nil {
            throw ProblemError.invalidOption("\(method.name) needs a starting embedding")
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        func elapsed() -> Double {
            let d = clock.now - t0
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }

        // The run's own token: the time limit is checked by the sampled methods within epochs too.
        let stop = StopToken(parent: options.stop)
        if let limit = options.timeLimit { stop.setDeadline(after: limit) }
        let context = try SolverContext(problem: problem, dimension: dimension, seed: seed, stop: stop)
        var checkpoints = try options.checkpointing.map {
            try CheckpointSession(method, policy: $0, problem: problem, dimension: dimension, seed: seed)
        }
        let resume = try checkpoints?.resumePoint(itemCount: problem.itemCount, dimension: dimension)
        var state = try method.makeState(start: resume?.embedding ?? (method.needsStart ? start : nil), context: context)
        var trace: [TraceEntry] = []
        var loss = method.loss(of: state)
        var first = TraceEntry(iteration: 0, seconds: elapsed(), loss: loss, gradientNorm: method.gradientNorm(of: state))
        first.extras = [:]
        trace.append(first)
        var termination: Termination?
        var lastFinite = method.embedding(of: state)
        var lastFiniteLoss = loss
        var iteration = 0
        var secondsBefore = 0.0
        if let resume {
            try checkpoints!.restore(&state, context: context, seconds: resume.seconds)
            (iteration, trace, secondsBefore) = (resume.iteration, resume.trace, resume.seconds)
            loss = method.loss(of: state)
            lastFiniteLoss = loss
            first = trace[trace.count - 1]
        }
        func seconds() -> Double { secondsBefore + elapsed() }
        func stopReason() -> Termination? {
            switch stop.reason {
            case nil: return nil
            case .timeLimit: return .timeLimit
            case .signal: return .interrupted
            }
        }

        if !loss.isFinite || !(first.gradientNorm?.isFinite ?? true) {
            termination = .nonFiniteLoss
        } else if let cb = options.callback, !cb(first) {
            termination = .stoppedByCallback
        } else if !method.isIterative {
            termination = .completed
        }
        while termination == nil {
            if iteration >= options.maxIterations { termination = .maxIterations; break }
            if let reason = stopReason() { termination = reason; break }
            let report = try method.step(&state, context: context)
            iteration += 1
            let previous = loss
            loss = method.loss(of: state)
            let gnorm = method.gradientNorm(of: state)
            let entry = TraceEntry(iteration: iteration, seconds: seconds(), loss: loss, gradientNorm: gnorm,
                                   stepSize: report.stepSize, extras: report.extras)
            trace.append(entry)
            if !loss.isFinite || !(gnorm?.isFinite ?? true) { termination = .nonFiniteLoss; break }
            lastFinite = method.embedding(of: state)
            lastFiniteLoss = loss
            switch report.status {
            case .converged: termination = .methodConverged
            case .lineSearchFailed: termination = .lineSearchFailed
            case .proceed: break
            }
            if termination != nil { break }
            if loss == 0 { termination = .methodConverged; break }
            if let g = gnorm, options.gradientTolerance > 0, g <= options.gradientTolerance { termination = .gradientConverged; break }
            if options.relativeTolerance > 0, previous - loss >= 0, previous - loss <= options.relativeTolerance * loss {
                termination = .lossConverged; break
            }
            if let cb = options.callback, !cb(entry) { termination = .stoppedByCallback; break }
            // A stop during the step (a sampled epoch cut short) ends the run now.
            if let reason = stopReason() { termination = reason; break }
            try checkpoints?.save(state, context: context, iteration: iteration, seconds: seconds(), trace: trace, force: false)
        }
        let finalTermination = termination ?? .maxIterations
        // The last snapshot, when the run ended between two iterations of an uninterrupted run (a
        // fresh run that stopped before its first iteration still leaves one: its start).
        if finalTermination != .nonFiniteLoss, !stop.abandonedIteration, resume.map({ iteration > $0.iteration }) ?? true {
            try checkpoints?.save(state, context: context, iteration: iteration, seconds: seconds(), trace: trace, force: true)
        }
        let counters = checkpoints?.totals(context) ?? CheckpointSession<Method>.counters(context)
        let embedding = finalTermination == .nonFiniteLoss ? lastFinite : method.embedding(of: state)
        let finalLoss = finalTermination == .nonFiniteLoss ? lastFiniteLoss : loss
        var result = SolverResult(
            method: method.name,
            initialization: initialization ?? (method.needsStart ? "given" : method.name),
            embedding: embedding,
            finalLoss: finalLoss,
            iterations: iteration,
            lossEvaluations: counters[0],
            gradientEvaluations: counters[1],
            operatorApplications: counters[2],
            termination: finalTermination,
            seconds: seconds(),
            trace: trace,
            notes: context.notes,
            extras: method.extras(of: state, context: context))
        result.attachErrorBound(problem: problem)
        return result
    }
}
