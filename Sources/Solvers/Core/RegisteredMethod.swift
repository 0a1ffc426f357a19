import Foundation
import LinearAlgebra

/// One entry of `MethodRegistry`: a method by name, with its settings and a way to run it
/// through the one `Driver`.
public struct RegisteredMethod: Sendable {
    public let name: String
    public let summary: String
    public let family: MethodFamily
    public let startRequirement: StartRequirement
    /// The method's own settings group.
    public let settings: SettingsGroupHandle
    /// Whether a run can save and resume its state (`CheckpointableMethod`); a direct method
    /// (eigen) has nothing to resume.
    public let checkpoints: Bool
    /// Under mpirun, ranks hold only their own rows of V (`RegistrableMethod.runsOnLocalRows`).
    public let runsOnLocalRows: Bool
    private let runner: @Sendable (Problem, SolverSettings, RunControl, ((URL) throws -> Matrix)?, ((TraceEntry) -> Bool)?) throws -> SolverResult
    private let memory: @Sendable (Problem, SolverSettings) throws(MemoryLimit.Exceeded) -> Void

    public init<M: RegistrableMethod>(_: M.Type) {
        name = M.methodName
        summary = M.summary
        family = M.family
        startRequirement = M.startRequirement
        settings = SettingsGroupHandle(M.Settings.self, title: M.methodName)
        checkpoints = M.self is any CheckpointableMethod.Type
        runsOnLocalRows = M.runsOnLocalRows
        runner = { problem, settings, control, readStart, callback in
            try Self.run(M.self, problem: problem, settings: settings, control: control, readStart: readStart, callback: callback)
        }
        memory = { problem, settings throws(MemoryLimit.Exceeded) in
            try MemoryNeed.check(M.memoryNeeds(settings: settings[M.Settings.self], sizes: MemoryNeed.Sizes(problem: problem, dimension: settings.dimension)),
                                 method: M.methodName, problem: problem, dimension: settings.dimension)
        }
    }

    /// Refuses `settings` whose buffers cannot fit in memory on `problem`, before any work.
    public func checkMemory(problem: Problem, settings: SolverSettings) throws(MemoryLimit.Exceeded) {
        try memory(problem, settings)
    }

    /// The groups whose options apply to this method: the run's, the eigen start's when the
    /// method takes a start, and its own.
    public var settingGroups: [SettingsGroupHandle] {
        var groups = [MethodRegistry.runSettings]
        if startRequirement != .none, settings.title != MethodRegistry.eigenStartSettings.title {
            groups.append(MethodRegistry.eigenStartSettings)
        }
        return groups + [settings]
    }

    /// Everything in `settings` that applies to this method (dimension, seed and its setting
    /// groups, set or default) as one canonical text: a checkpoint is only resumed by a run with
    /// the same.
    public func fingerprint(of settings: SolverSettings) -> String {
        (["dimension: \(settings.dimension)", "seed: \(settings.seed)"] + settingGroups.map { $0.description(in: settings) })
            .joined(separator: "; ")
    }

    /// Runs the method with `settings`. A start (`settings.initialPoint`) is built for methods
    /// that take one; its time (e.g. the eigen initialisation) is included in the reported
    /// seconds and trace, so comparisons are honest. `readStart` reads an `.npy` start
    /// (`InitialPoint.file`); this module does no file I/O.
    /// `control` carries a stop request and checkpointing into the driver.
    public func run(problem: Problem, settings: SolverSettings, control: RunControl = RunControl(),
                    readStart: ((URL) throws -> Matrix)? = nil,
                    callback: ((TraceEntry) -> Bool)? = nil) throws -> SolverResult {
        try runner(problem, settings, control, readStart, callback)
    }

    static func run<M: RegistrableMethod>(_: M.Type, problem: Problem, settings: SolverSettings, control: RunControl,
                                          readStart: ((URL) throws -> Matrix)?,
                                          callback: ((TraceEntry) -> Bool)?) throws -> SolverResult {
        try problem.validate(dimension: settings.dimension)
        try settings.validate()
        let own = settings[M.Settings.self]
        try own.validate()
        try MemoryNeed.check(M.memoryNeeds(settings: own, sizes: MemoryNeed.Sizes(problem: problem, dimension: settings.dimension)),
                             method: M.methodName, problem: problem, dimension: settings.dimension)
        let method = try M(settings: own, solver: settings)
        let run = settings.run
        var options = method.driverOptions(
            from: DriverOptions(maxIterations: run.maxIterations, timeLimit: run.timeLimit,
                                relativeTolerance: run.relativeTolerance, gradientTolerance: run.gradientTolerance,
                                callback: callback),
            settings: own)
        options.stop = control.stop
        options.checkpointing = control.checkpointing
        guard M.startRequirement != .none else {
            var result = try Driver.run(method, problem: problem, dimension: settings.dimension,
                                        initialization: method.ownStartDescription(settings: own),
                                        seed: settings.seed, options: options)
            if settings.initialPoint != .eigen {
                result.notes.append("\(M.methodName) makes its own start (\(result.initialization)); init=\(settings.initialPoint) does not apply")
            }
            return result
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        // A resumed run continues from its snapshot's embedding: no starting point to build.
        let (start, notes): (Matrix?, [String]) = options.checkpointing?.resume != nil ? (nil, []) :
            try StartingPoint.make(settings.initialPoint, problem: problem, dimension: settings.dimension,
                                   seed: settings.seed, eigen: settings[EigenMethod.Settings.self], readStart: readStart)
        let initSeconds = (clock.now - t0).seconds
        var timed = options
        if let limit = timed.timeLimit { timed.timeLimit = max(limit - initSeconds, 1e-9) }
        // Consumed: the method's state then holds the start's only reference and writes in place.
        var result = try Driver.run(method, problem: problem, dimension: settings.dimension, start: consume start,
                                    initialization: settings.initialPoint.description, seed: settings.seed, options: timed)
        result.seconds += initSeconds
        for k in result.trace.indices { result.trace[k].seconds += initSeconds }
        result.notes = notes + result.notes
        if initSeconds > 0.001 {
            result.notes.append(String(format: "includes %.3f s to build the %@ starting point", initSeconds, settings.initialPoint.description))
        }
        return result
    }
}
