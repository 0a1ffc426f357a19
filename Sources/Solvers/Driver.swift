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
    /// A decision from a local clock: on a distributed problem rank 0's, so that every participant
    /// stops after the same iteration (every other rule depends only on replicated numbers).
    static func agreed(_ local: Bool, _ problem: Problem) -> Bool {
        guard let distribution = problem.distribution, distribution.size > 1 else { return local }
        var flag = [local ? 1.0 : 0.0]
        do {
            try flag.withUnsafeMutableBufferPointer { try distribution.communicator.broadcast($0, root: 0) }
        } catch {
            distribution.failureHandler(error)
        }
        return flag[0] != 0
    }

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
        } else if method.needsStart {
            throw ProblemError.invalidOption("\(method.name) needs a starting embedding")
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        func elapsed() -> Double {
            let d = clock.now - t0
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }

        let context = try SolverContext(problem: problem, dimension: dimension, seed: seed)
        var state = try method.makeState(start: method.needsStart ? start : nil, context: context)
        var trace: [TraceEntry] = []
        var loss = method.loss(of: state)
        var first = TraceEntry(iteration: 0, seconds: elapsed(), loss: loss, gradientNorm: method.gradientNorm(of: state))
        first.extras = [:]
        trace.append(first)
        var termination: Termination?
        var lastFinite = method.embedding(of: state)
        var lastFiniteLoss = loss
        var iteration = 0

        if !loss.isFinite {
            termination = .nonFiniteLoss
        } else if let cb = options.callback, !cb(first) {
            termination = .stoppedByCallback
        } else if !method.isIterative {
            termination = .completed
        }
        while termination == nil {
            if iteration >= options.maxIterations { termination = .maxIterations; break }
            if let limit = options.timeLimit, agreed(elapsed() >= limit, problem) { termination = .timeLimit; break }
            let report = try method.step(&state, context: context)
            iteration += 1
            let previous = loss
            loss = method.loss(of: state)
            let gnorm = method.gradientNorm(of: state)
            let entry = TraceEntry(iteration: iteration, seconds: elapsed(), loss: loss, gradientNorm: gnorm,
                                   stepSize: report.stepSize, extras: report.extras)
            trace.append(entry)
            if !loss.isFinite { termination = .nonFiniteLoss; break }
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
        }
        let finalTermination = termination ?? .maxIterations
        let embedding = finalTermination == .nonFiniteLoss ? lastFinite : method.embedding(of: state)
        let finalLoss = finalTermination == .nonFiniteLoss ? lastFiniteLoss : loss
        return SolverResult(
            method: method.name,
            initialization: initialization ?? (method.needsStart ? "given" : method.name),
            embedding: embedding,
            finalLoss: finalLoss,
            iterations: iteration,
            lossEvaluations: context.objective.lossEvaluations,
            gradientEvaluations: context.objective.gradientEvaluations,
            operatorApplications: context.objective.operatorApplications + context.extraOperatorApplications,
            termination: finalTermination,
            seconds: elapsed(),
            trace: trace,
            notes: context.notes,
            extras: method.extras(of: state, context: context))
    }
}
