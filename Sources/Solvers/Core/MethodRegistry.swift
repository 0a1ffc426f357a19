import Foundation
import LinearAlgebra
import DataIO

/// The solvers the command line and `compare` know by name.
public enum SolverKind: String, Sendable, CaseIterable, Codable {
    case eigen, impute, gd, adam, lbfgs
    case sgns
    case sampledSoftmax = "sampled-softmax"
    case inBatch = "in-batch"

    /// Sampled (word2vec-style) methods train on positive pairs, need interactions, and count
    /// iterations in epochs.
    public var isSampled: Bool { self == .sgns || self == .sampledSoftmax || self == .inBatch }
}

/// Options of the sampled methods (see docs/solvers/sampled.md).
public struct SampledSettings: Sendable {
    /// Epochs (driver iterations); also the horizon of SGD's linear learning-rate decay.
    public var epochs: Int = 10
    public var pairs: PairSelection = .default
    /// nil = the method's default (SGD 0.025 for sgns/sampled-softmax, Adam 0.01 for in-batch).
    public var learningRate: Double? = nil
    /// Use Adam instead of SGD with linear decay (in-batch always uses Adam).
    public var adam: Bool = false
    public var initialization: SampledInitialization? = nil
    public var output: SampledOutput = .input
    public var threads: Int = 2
    public var negatives: Int = 5
    public var noisePower: Double = 0.75
    /// sgns negative sharing: contexts per shared draw of negatives (0 = per-pair updates).
    public var sharedNegatives: Int = 0
    public var candidates: Int = 20
    public var candidateSampler: CandidateDistribution = .logUniform
    public var batchSize: Int = 256
    public var inBatchNegatives: InBatchNegatives.Negatives = .full
    public var correction: InBatchNegatives.Correction = .counts
    public var temperature: Double = 0.05
    public var normalize: Bool = true
    /// Sampled softmax's output bias b_c.
    public var outputBias: Bool = true

    public init() {}

    func optimizer(defaultAdamRate: Double?) -> SampledOptimizer {
        if adam || defaultAdamRate != nil { return .adam(learningRate: learningRate ?? defaultAdamRate ?? 0.001) }
        return .sgd(learningRate: learningRate ?? 0.025, plannedEpochs: max(1, epochs))
    }
}

/// Where a gradient method starts.
public enum InitialPoint: Sendable, Equatable, CustomStringConvertible {
    /// The eigen initialisation (the default).
    case eigen
    /// i.i.d. N(0, scale²) entries; scale 1 is the `torch.randn(M, D)` baseline.
    case random(scale: Double)
    /// An embedding file (.npy, M × D).
    case file(URL)

    public var description: String {
        switch self {
        case .eigen: return "eigen"
        case let .random(scale): return "random(scale=\(scale))"
        case let .file(url): return url.lastPathComponent
        }
    }
}

/// Every option a named solver can take, with the defaults a user gets from the command line.
public struct SolverSettings: Sendable {
    public var dimension: Int
    public var seed: UInt64 = 0
    public var initialPoint: InitialPoint = .eigen
    public var maxIterations: Int = 1000
    public var timeLimit: Double? = nil
    public var relativeTolerance: Double = 1e-12
    public var gradientTolerance: Double = 0
    public var eigenBackend: EigenInitializer.Backend = .automatic
    public var imputeInner: AlternatingImputation.Inner = .subspace
    public var learningRate: Double = 1e-2
    public var adamSchedule: Adam.Schedule = .plateau
    public var lbfgsMemory: Int = 5
    public var lbfgsPreconditioning: LBFGS.Preconditioning = .gram
    public var sampled = SampledSettings()

    public init(dimension: Int) { self.dimension = dimension }
}

/// Builds and runs a named solver through the one `Driver`.
public enum SolverCatalog {
    /// The starting embedding for `settings.initialPoint` (nil for methods that make their own).
    public static func startingPoint(_ point: InitialPoint, problem: Problem, dimension: Int, seed: UInt64,
                                     backend: EigenInitializer.Backend = .automatic) throws -> (Matrix, [String]) {
        switch point {
        case .eigen:
            let out = try EigenInitializer.compute(problem: problem, dimension: dimension, backend: backend, seed: seed)
            return (out.embedding, out.notes)
        case let .random(scale):
            guard scale > 0, scale.isFinite else { throw ProblemError.invalidOption("random init scale must be > 0, got \(scale)") }
            var rng = SeededGenerator(seed: seed ^ 0x5EED_0F_4A4D)
            return (Matrix(rows: problem.itemCount, columns: dimension) { _, _ in scale * rng.nextGaussian() }, [])
        case let .file(url):
            let v = try NPY.read(url)
            guard v.rows == problem.itemCount, v.columns == dimension else {
                throw ProblemError.shapeMismatch("\(url.path) holds a \(v.rows)×\(v.columns) embedding, the problem needs \(problem.itemCount)×\(dimension)")
            }
            guard v.isFinite else { throw ProblemError.nonFinite("\(url.path) has NaN or infinite entries") }
            return (v, [])
        }
    }

    /// Runs `kind` with `settings`. For methods that start from a given point, the time spent
    /// making it (e.g. the eigen initialisation) is included in the reported seconds and trace, so
    /// that comparisons are honest.
    public static func run(_ kind: SolverKind, problem: Problem, settings: SolverSettings,
                           callback: ((TraceEntry) -> Bool)? = nil) throws -> SolverResult {
        try problem.validate(dimension: settings.dimension)
        let options = DriverOptions(maxIterations: settings.maxIterations, timeLimit: settings.timeLimit,
                                    relativeTolerance: settings.relativeTolerance,
                                    gradientTolerance: settings.gradientTolerance, callback: callback)
        switch kind {
        case .eigen:
            return try Driver.run(EigenInitialization(backend: settings.eigenBackend), problem: problem,
                                  dimension: settings.dimension, initialization: "—", seed: settings.seed, options: options)
        case .impute:
            let method = AlternatingImputation(inner: settings.imputeInner, eigenBackend: settings.eigenBackend)
            if settings.initialPoint == .eigen {
                return try Driver.run(method, problem: problem, dimension: settings.dimension,
                                      initialization: "eigen", seed: settings.seed, options: options)
            }
            return try runFromStart(method, problem: problem, settings: settings, options: options)
        case .gd:
            return try runFromStart(GradientDescent(), problem: problem, settings: settings, options: options)
        case .adam:
            return try runFromStart(Adam(learningRate: settings.learningRate, schedule: settings.adamSchedule),
                                    problem: problem, settings: settings, options: options)
        case .lbfgs:
            return try runFromStart(LBFGS(memory: settings.lbfgsMemory, preconditioning: settings.lbfgsPreconditioning), problem: problem, settings: settings, options: options)
        case .sgns, .sampledSoftmax, .inBatch:
            // Epochs, not a loss tolerance, end a sampled run: its masked loss is not what it
            // minimises, so a tiny change in it says nothing about convergence.
            var sampledOptions = options
            sampledOptions.maxIterations = settings.sampled.epochs
            sampledOptions.relativeTolerance = 0
            sampledOptions.gradientTolerance = 0
            let sm = settings.sampled
            let describe = "\(sm.initialization?.rawValue ?? "default") init"
            switch kind {
            case .sgns:
                let method = SkipGramNegativeSampling(
                    negatives: sm.negatives, noisePower: sm.noisePower, pairs: sm.pairs,
                    optimizer: sm.optimizer(defaultAdamRate: nil), initialization: sm.initialization ?? .word2vec,
                    output: sm.output, threads: sm.threads, sharedNegatives: sm.sharedNegatives)
                return try Driver.run(method, problem: problem, dimension: settings.dimension, initialization: describe,
                                      seed: settings.seed, options: sampledOptions)
            case .sampledSoftmax:
                let method = SampledSoftmax(
                    candidates: sm.candidates, sampler: sm.candidateSampler, unique: true, pairs: sm.pairs,
                    optimizer: sm.optimizer(defaultAdamRate: nil), initialization: sm.initialization ?? .word2vec,
                    output: sm.output, threads: sm.threads, outputBias: sm.outputBias)
                return try Driver.run(method, problem: problem, dimension: settings.dimension, initialization: describe,
                                      seed: settings.seed, options: sampledOptions)
            default:
                let method = InBatchNegatives(
                    batchSize: sm.batchSize, negatives: sm.inBatchNegatives,
                    correction: sm.correction, temperature: sm.temperature, normalize: sm.normalize, pairs: sm.pairs,
                    optimizer: sm.optimizer(defaultAdamRate: 0.01), initialization: sm.initialization ?? .uniform,
                    output: sm.output)
                return try Driver.run(method, problem: problem, dimension: settings.dimension, initialization: describe,
                                      seed: settings.seed, options: sampledOptions)
            }
        }
    }

    static func runFromStart<M: SolverMethod>(_ method: M, problem: Problem, settings: SolverSettings,
                                              options: DriverOptions) throws -> SolverResult {
        let clock = ContinuousClock()
        var start: Matrix!
        var notes: [String] = []
        let initSeconds = try clock.measure {
            (start, notes) = try startingPoint(settings.initialPoint, problem: problem, dimension: settings.dimension,
                                               seed: settings.seed, backend: settings.eigenBackend)
        }.seconds
        var options = options
        if let limit = options.timeLimit { options.timeLimit = max(limit - initSeconds, 1e-9) }
        var result = try Driver.run(method, problem: problem, dimension: settings.dimension, start: start,
                                    initialization: settings.initialPoint.description, seed: settings.seed, options: options)
        result.seconds += initSeconds
        for k in result.trace.indices { result.trace[k].seconds += initSeconds }
        result.notes = notes + result.notes
        if initSeconds > 0.001 { result.notes.append(String(format: "includes %.3f s to build the %@ starting point", initSeconds, settings.initialPoint.description)) }
        return result
    }
}
