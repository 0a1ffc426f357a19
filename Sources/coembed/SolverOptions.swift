import ArgumentParser
import Foundation
import Solvers

extension SolverKind: ExpressibleByArgument {}
extension EigenInitializer.Backend: ExpressibleByArgument {}
extension AlternatingImputation.Inner: ExpressibleByArgument {}
extension AlternatingImputation.Acceleration: ExpressibleByArgument {}
extension Adam.Schedule: ExpressibleByArgument {}
extension LBFGS.Preconditioning: ExpressibleByArgument {}
extension SampledInitialization: ExpressibleByArgument {}
extension SampledOutput: ExpressibleByArgument {}
extension CandidateDistribution: ExpressibleByArgument {}
extension SampledSettings.Preset: ExpressibleByArgument {}

/// Options of the sampled (word2vec-style) methods.
struct SampledOptionGroup: ParsableArguments {
    @Option(help: "Epochs of the sampled methods (sgns, sampled-softmax, in-batch).")
    var epochs: Int = 10

    @Option(help: "Named starting point for the sampled settings: word2vec (the classic skip-gram recipe); the flags below override it.")
    var preset: SampledSettings.Preset?

    @Option(help: "Positive pairs per epoch: 'all' enumerates every pair, a number r samples r pairs per like (default: each method's own).")
    var pairs: PairSelection?

    @Option(help: "Sampled methods' learning rate (default: 0.025 SGD, 0.01 in-batch Adam, 0.001 --sampled-adam).")
    var sampledLearningRate: Double?

    @Flag(help: "Train sgns / sampled-softmax with Adam instead of SGD with linear decay.")
    var sampledAdam = false

    @Option(help: "Sampled initialisation: uniform (±1) or word2vec (±0.5/D input, zero output).")
    var sampledInit: SampledInitialization?

    @Option(help: "Reported embedding: input table or average of input and output (default: \(SampledSettings().output.rawValue)).")
    var sampledOutput: SampledOutput?

    @Option(help: "Threads for sgns and sampled-softmax (1 = bit-reproducible).")
    var threads: Int = 2

    @Option(help: "SGNS negatives per positive pair (K).")
    var negatives: Int = 5

    @Option(help: "SGNS noise distribution exponent α (noise ∝ likes^α; 0 = uniform; default: \(SampledSettings().noisePower)).")
    var noisePower: Double?

    @Option(help: "SGNS negative sharing: B contexts of one target share one draw of K negatives and are updated with BLAS (0 = per-pair updates; default: \(SampledSettings().sharedNegatives)).")
    var shareNegatives: Int?

    @Option(help: "Sampled-softmax candidates per example.")
    var candidates: Int = 20

    @Option(help: "Sampled-softmax candidate sampler: logUniform, uniform, unigram.")
    var candidateSampler: CandidateDistribution = .logUniform

    @Flag(inversion: .prefixedNo, help: "Sampled-softmax output bias b_c (without it the popularity stays in the vectors; default: \(SampledSettings().outputBias ? "on" : "off")).")
    var outputBias: Bool?

    @Option(help: "In-batch batch size B.")
    var batchSize: Int = 256

    @Option(help: "In-batch negatives: 'full' (B × B softmax) or a number NEG of shifted copies.")
    var inBatchNegatives: InBatchNegatives.Negatives = .full

    @Option(help: "In-batch logQ correction: none, counts, or streaming.")
    var logQ: InBatchNegatives.Correction = .counts

    @Option(help: "In-batch softmax temperature τ.")
    var temperature: Double = 0.05

    @Flag(inversion: .prefixedNo, help: "In-batch L2 normalisation of the vectors.")
    var normalize = true

    func apply(to s: inout SampledSettings) {
        if let preset { s.apply(preset) }
        s.epochs = epochs
        if let pairs { s.pairs = pairs }
        s.learningRate = sampledLearningRate
        s.adam = sampledAdam
        s.initialization = sampledInit
        if let sampledOutput { s.output = sampledOutput }
        s.threads = threads
        s.negatives = negatives
        if let noisePower { s.noisePower = noisePower }
        if let shareNegatives { s.sharedNegatives = shareNegatives }
        s.candidates = candidates
        s.candidateSampler = candidateSampler
        s.batchSize = batchSize
        s.inBatchNegatives = inBatchNegatives
        s.correction = logQ
        s.temperature = temperature
        s.normalize = normalize
        if let outputBias { s.outputBias = outputBias }
    }
}

/// Options every solver run shares (solve and compare).
struct RunOptions: ParsableArguments {
    @Option(name: [.customLong("dim"), .short], help: "Embedding dimension D (1 ≤ D ≤ items).")
    var dimension: Int = 300

    @Option(name: .customLong("init"), help: "Starting point of gradient methods and impute: eigen, random, or an .npy embedding file.")
    var initialization: String = "eigen"

    @Option(help: "Standard deviation of the random start (1 = torch.randn).")
    var initScale: Double = 1

    @Option(help: "Seed for every random choice (same seed and inputs → same output).")
    var seed: UInt64 = 0

    @Option(help: "Stop after this many iterations.")
    var maxIterations: Int = 1000

    @Option(help: "Stop after this many seconds (per solver).")
    var timeLimit: Double?

    @Option(help: "Stop when the loss decreases by less than this fraction of itself in one iteration.")
    var tolerance: Double = 1e-12

    @Option(help: "Stop when ‖∇L‖_F falls below this (0 = off).")
    var gradientTolerance: Double = 0

    @Option(help: "Eigensolver: automatic, gram, dense, arpack, block (block Rayleigh–Ritz on S·panel products, for large M). Every backend is refused before work when it would exceed the memory budget (COEMBED_MEMORY_BUDGET, default half of RAM).")
    var eigenBackend: EigenInitializer.Backend = .automatic

    @Option(help: "Imputation inner step: subspace (Rayleigh–Ritz on [V, YV]) or exact (full eigensolve).")
    var imputeInner: AlternatingImputation.Inner = .subspace

    @Option(help: "Imputation extrapolation on the diagonal: none (the plain loop), anderson, squarem.")
    var acceleration = AlternatingImputation.defaultAcceleration

    @Option(help: "Anderson acceleration memory m (difference columns) for impute.")
    var accelerationMemory = AlternatingImputation.defaultAccelerationMemory

    @Option(help: "Adam learning rate.")
    var learningRate: Double = 1e-2

    @Option(help: "Adam learning-rate schedule: constant or plateau (halve when the loss rises).")
    var adamSchedule: Adam.Schedule = .plateau

    @Option(help: "L-BFGS memory (number of correction pairs).")
    var memory: Int = 5

    @Option(help: "L-BFGS initial inverse Hessian: gram (right-preconditioned by diag(VᵀV)⁻¹ of the start) or none (γ·I).")
    var preconditioning: LBFGS.Preconditioning = .gram

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Progress lines every 5 s on stderr even when it is not a terminal (default there: one line per solver).")
    var progress = false

    @OptionGroup(title: "Sampled methods") var sampled: SampledOptionGroup

    func validate() throws {
        guard dimension >= 1 else { throw ValidationError("--dim must be ≥ 1, got \(dimension)") }
        if initialization != "eigen" && initialization != "random" && !FileManager.default.isReadableFile(atPath: initialization) {
            throw ValidationError("--init must be eigen, random, or a readable .npy file; cannot read '\(initialization)'")
        }
        do { try settings.validate() } catch let error as ProblemError { throw ValidationError("--\(error.optionMessage)") }
    }

    var initialPoint: InitialPoint {
        switch initialization {
        case "eigen": return .eigen
        case "random": return .random(scale: initScale)
        default: return .file(URL(fileURLWithPath: initialization))
        }
    }

    var settings: SolverSettings {
        var s = SolverSettings(dimension: dimension)
        s.seed = seed
        s.initialPoint = initialPoint
        s.maxIterations = maxIterations
        s.timeLimit = timeLimit
        s.relativeTolerance = tolerance
        s.gradientTolerance = gradientTolerance
        s.eigenBackend = eigenBackend
        s.imputeInner = imputeInner
        s.imputeAcceleration = acceleration
        s.imputeAccelerationMemory = accelerationMemory
        s.learningRate = learningRate
        s.adamSchedule = adamSchedule
        s.lbfgsMemory = memory
        s.lbfgsPreconditioning = preconditioning
        sampled.apply(to: &s.sampled)
        return s
    }
}
