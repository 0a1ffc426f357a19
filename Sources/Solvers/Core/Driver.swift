import Foundation
import LinearAlgebra

/// The one loop every method runs in: counts iterations, applies the stopping rules, records the
/// trace, calls the callback and watches the clock.
public enum Driver {
    /// A decision from a local clock: on a distributed problem rank 0's, so that every participant
    /// stops after the same iteration (every other rule depends only on replicated numbers).
    static func agreed(_ local: Bool, _ problem: Problem) -> Bool {
        agreed(local ? 1 : 0, problem) != 0
    }

    /// Rank 0's `local` on a distributed problem (one broadcast), `local` otherwise.
    static func agreed(_ local: Double, _ problem: Problem) -> Double {
        guard let distribution = problem.distribution, distribution.size > 1 else { return local }
        var flag = [local]
        do {
            try flag.withUnsafeMutableBufferPointer { try distribution.communicator.broadcast($0, root: 0) }
        } catch {
            distribution.failureHandler(error)
        }
        return flag[0]
    }

    /// Runs `method` on `problem` at dimension `dimension` from `start` (which the method's
    /// `startRequirement` must allow) and returns the result.
    ///
    /// `start` is taken over: a caller that passes it with `consume` (and keeps no other copy)
    /// lets the method's state own the only reference, so the method writes its iterate in place
    /// instead of copying the start first — one M × D array less for the whole run (1 GB at
    /// 10⁶ items × 128, counted by `LBFGSMemoryPlan`).
    public static func run<Method: SolverMethod>(
        _ method: Method, problem: Problem, dimension: Int, start: consuming Matrix? = nil,
        initialization: String? = nil, seed: UInt64 = 0, options: DriverOptions = DriverOptions()
    ) throws -> SolverResult {
        var result = try iterate(method, problem: problem, dimension: dimension, start: consume start,
                                 initialization: initialization, seed: seed, options: options)
        // After `iterate` has returned, so that the method's state and the run's objective are
        // released first: the check builds its own objective (and, at scale, a compensated
        // evaluation) — at 10⁶ items × 128 that is ≈ 3 GB on top of L-BFGS's 8 arrays of 1 GB.
        result.attachErrorBound(problem: problem)
        return result
    }

    /// The loop itself: everything `run` returns but the final loss's error bound.
    private static func iterate<Method: SolverMethod>(
        _ method: Method, problem: Problem, dimension: Int, start: consuming Matrix?,
        initialization: String?, seed: UInt64, options: DriverOptions
    ) throws -> SolverResult {
        let hasStart = start != nil
        try options.validate()
        try problem.validate(dimension: dimension)
        if let start {
            guard start.rows == problem.heldRows.count, start.columns == dimension else { // heldRows: a participant's own rows
                throw ProblemError.shapeMismatch("starting embedding is \(start.rows)×\(start.columns), the problem needs \(problem.heldRows.count)×\(dimension)")
            }
            guard start.isFinite else { throw ProblemError.nonFinite("the starting embedding has NaN or infinite entries") }
        }
        let resuming = options.checkpointing?.resume != nil
        switch Method.startRequirement {
        case .required:
            // A resumed run continues from its snapshot's embedding instead.
            if start == nil && !resuming { throw ProblemError.invalidOption("\(method.name) needs a starting embedding") }
        case .optional:
            break
        case .none:
            if start != nil { throw ProblemError.invalidOption("\(method.name) makes its own start and takes no starting embedding") }
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        func elapsed() -> Double { (clock.now - t0).seconds }

        // The run's own token: the time limit is checked by the sampled methods within epochs too.
        let stop = StopToken(parent: options.stop)
        if let limit = options.timeLimit { stop.setDeadline(after: limit) }
        let context = try SolverContext(problem: problem, dimension: dimension, seed: seed, stop: stop)
        var checkpoints = try options.checkpointing.map {
            try CheckpointSession(method, policy: $0, problem: problem, dimension: dimension, seed: seed)
        }
        let resume = try checkpoints?.resumePoint(itemCount: problem.itemCount, dimension: dimension)
        // The start is consumed here: from now on the state holds the only reference the driver had.
        var state: Method.State
        if let resumed = resume?.embedding {
            _ = consume start
            state = try method.makeState(start: resumed, context: context)
        } else {
            state = try method.makeState(start: consume start, context: context)
        }
        var trace: [TraceEntry] = []
        var loss = method.loss(of: state)
        var first = TraceEntry(iteration: 0, seconds: elapsed(), loss: loss, gradientNorm: method.gradientNorm(of: state))
        first.extras = [:]
        trace.append(first)
        var termination: Termination?
        // Nil when the method keeps its last finite iterate itself (then its state is that copy).
        var lastFinite: Matrix? = method.keepsLastFiniteIterate ? nil : method.embedding(of: state)
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
        // The deadline and signals are local events: on a distributed problem rank 0's reason
        // decides, so that every participant stops after the same iteration.
        func stopReason() -> Termination? {
            let local: Double
            switch stop.reason {
            case nil: local = 0
            case .timeLimit: local = 1
            case .signal: local = 2
            }
            switch agreed(local, problem) {
            case 1: return .timeLimit
            case 2: return .interrupted
            default: return nil
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
            if !method.keepsLastFiniteIterate { lastFinite = method.embedding(of: state) }
            lastFiniteLoss = loss
            switch report.status {
            case .converged: termination = .methodConverged
            case .lineSearchFailed: termination = .lineSearchFailed
            case .proceed: break
            }
            if termination != nil { break }
            // A stop during the step (a sampled epoch or a Newton–CG solve cut short) ends the run
            // now, before a step shortened by it can pass for convergence.
            if let reason = stopReason() { termination = reason; break }
            if loss == 0 { termination = .methodConverged; break }
            if let g = gnorm, options.gradientTolerance > 0, g <= options.gradientTolerance { termination = .gradientConverged; break }
            if options.relativeTolerance > 0, previous - loss >= 0, previous - loss <= options.relativeTolerance * loss {
                termination = .lossConverged; break
            }
            if let cb = options.callback, !cb(entry) { termination = .stoppedByCallback; break }
            try checkpoints?.save(state, context: context, iteration: iteration, seconds: seconds(), trace: trace, force: false)
        }
        let finalTermination = termination ?? .maxIterations
        // The last snapshot, when the run ended between two iterations of an uninterrupted run (a
        // fresh run that stopped before its first iteration still leaves one: its start).
        if finalTermination != .nonFiniteLoss, !stop.abandonedIteration, resume.map({ iteration > $0.iteration }) ?? true {
            try checkpoints?.save(state, context: context, iteration: iteration, seconds: seconds(), trace: trace, force: true)
        }
        let counters = checkpoints?.totals(context) ?? CheckpointSession<Method>.counters(context)
        let embedding = finalTermination == .nonFiniteLoss ? lastFinite ?? method.embedding(of: state) : method.embedding(of: state)
        let finalLoss = finalTermination == .nonFiniteLoss ? lastFiniteLoss : loss
        return SolverResult(
            method: method.name,
            initialization: initialization ?? (hasStart ? "given" : method.name),
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
    }
}
