import Foundation
import LinearAlgebra

/// Where a resumed run picks up: the driver's own bookkeeping from the snapshot.
struct ResumePoint {
    var embedding: Matrix
    var iteration: Int
    var seconds: Double
    var trace: [TraceEntry]
}

/// The driver's checkpointing for one run: refuses a snapshot of another run, restores one, and
/// writes snapshots (periodically and when the run ends between iterations).
struct CheckpointSession<Method: SolverMethod> {
    let method: Method
    let checkpointable: any CheckpointableMethod
    let policy: CheckpointPolicy
    let identity: RunIdentity
    /// Evaluation counters of the saved run, and the context's counters when it was restored,
    /// so the totals go on across a resume.
    private var savedCounters = [0, 0, 0]
    private var countersAtRestore = [0, 0, 0]
    private var lastWrite: Double

    init(_ method: Method, policy: CheckpointPolicy, problem: Problem, dimension: Int, seed: UInt64) throws {
        guard method.isIterative, let checkpointable = method as? any CheckpointableMethod else {
            throw CheckpointError.unsupported("\(method.name) \(method.isIterative ? "has no checkpoint support" : "is a direct method: it has no iterations to resume")")
        }
        guard policy.interval >= 0, policy.interval.isFinite else {
            throw ProblemError.invalidOption("checkpoint interval must be ≥ 0 seconds, got \(policy.interval)")
        }
        self.method = method
        self.checkpointable = checkpointable
        self.policy = policy
        self.identity = RunIdentity(method: method.name, dimension: dimension, seed: seed, options: policy.options, problem: problem)
        self.lastWrite = 0
    }

    /// The snapshot's driver state, after checking it belongs to this run.
    func resumePoint(itemCount: Int, dimension: Int) throws -> ResumePoint? {
        guard let r = policy.resume else { return nil }
        try identity.check(r)
        let point = ResumePoint(embedding: try r.matrix("driver.embedding", rows: itemCount, columns: dimension),
                                iteration: try r.int("driver.iteration"), seconds: try r.double("driver.seconds"),
                                trace: try TraceEntry.restore("trace", from: r))
        guard point.embedding.isFinite, point.iteration >= 0, point.trace.last?.iteration == point.iteration else {
            throw CheckpointError.damaged("the driver's fields do not agree (iteration \(point.iteration), trace of \(point.trace.count) entries)")
        }
        return point
    }

    /// Restores the method's state (made by `makeState` from the snapshot's embedding), the
    /// run's random stream, notes and counters.
    mutating func restore(_ state: inout Method.State, context: SolverContext, seconds: Double) throws {
        guard let r = policy.resume else { return }
        try checkpointable.restoreAnyState(&state, from: r, context: context)
        context.random = try SeededGenerator.restore("driver.random", from: r)
        let notes = try r.text("driver.notes")
        for note in notes.split(separator: "\n") { context.note(String(note)) }
        savedCounters = try r.ints("driver.counters", count: 3)
        countersAtRestore = Self.counters(context)
        lastWrite = seconds
    }

    static func counters(_ context: SolverContext) -> [Int] {
        [context.objective.lossEvaluations, context.objective.gradientEvaluations,
         context.objective.operatorApplications + context.extraOperatorApplications]
    }

    /// Loss evaluations, gradient evaluations and operator applications over the whole run.
    func totals(_ context: SolverContext) -> [Int] {
        let now = Self.counters(context)
        return (0..<3).map { savedCounters[$0] + now[$0] - countersAtRestore[$0] }
    }

    /// Writes a snapshot when the interval has passed (`force`: regardless of the interval).
    mutating func save(_ state: Method.State, context: SolverContext, iteration: Int, seconds: Double,
                       trace: [TraceEntry], force: Bool) throws {
        guard let file = policy.file else { return }
        guard force || seconds - lastWrite >= policy.interval else { return }
        var r = CheckpointRecord()
        r.set("format", "coembed run checkpoint")
        identity.save(into: &r)
        for (key, value) in policy.applicationFields.fields { r["app." + key] = value }
        r.set("driver.iteration", iteration)
        r.set("driver.seconds", seconds)
        r.set("driver.embedding", method.embedding(of: state))
        context.random.save("driver.random", into: &r)
        r.set("driver.notes", context.notes.joined(separator: "\n"))
        r.set("driver.counters", totals(context))
        TraceEntry.save(trace, "trace", into: &r)
        try checkpointable.saveAnyState(state, into: &r)
        try policy.write(Data(r.encoded()), file)
        lastWrite = seconds
    }
}

/// Outside control of a named run (`RegisteredMethod.run`): a stop request and checkpointing.
public struct RunControl: Sendable {
    public var stop: StopToken?
    public var checkpointing: CheckpointPolicy?

    public init(stop: StopToken? = nil, checkpointing: CheckpointPolicy? = nil) {
        self.stop = stop
        self.checkpointing = checkpointing
    }
}
