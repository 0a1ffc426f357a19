import LinearAlgebra

/// Sampled softmax (Jean et al. 2015; TensorFlow's `sampled_softmax_loss`): a full softmax over
/// all M items approximated by the true item and S candidates drawn from a proposal Q.
///
/// For a positive pair (i, j) with candidates c₁…c_S, the logits are
///
///     z_c = v_iᵀu_c + b_c − log E[count_c]
///
/// over c ∈ {j, c₁, …, c_S}; the loss is the cross-entropy with j as the class. Subtracting the
/// log expected count makes the sampled softmax consistent for the full one. Candidates that
/// equal j ("accidental hits") are dropped, since a positive must not act as its own negative.
/// With `unique` sampling the sampler draws until S distinct items have appeared, `tries` draws
/// in all, and E[count_c] = 1 − (1 − p_c)^tries; otherwise E[count_c] = S·p_c. Candidates are
/// drawn per example (not shared across a batch): there is no batch in the per-pair loop.
///
/// Epochs, threads (Hogwild), optimiser and the reported loss work as in
/// `SkipGramNegativeSampling`; `scoredPairs` counts the true item plus the kept candidates.
public struct SampledSoftmax: SolverMethod, Equatable {
    /// S, candidates per example.
    public var candidates: Int
    public var sampler: CandidateDistribution
    /// Draw until S distinct candidates (TensorFlow's default) or S independent draws.
    public var unique: Bool
    public var pairs: PairSelection
    public var optimizer: SampledOptimizer
    public var initialization: SampledInitialization
    public var output: SampledOutput
    public var threads: Int
    /// Learn the output bias b_c. With it, b_c absorbs each item's popularity (log P(c)) and the
    /// vectors keep only the association beyond it; without it the popularity has to go into
    /// v_iᵀu_c, so a single reported table (scored by `Σ sim(v_j, v_c)`) still carries it.
    public var outputBias: Bool

    /// The defaults are `Settings`' (the command line's and `compare`'s); `init(preset: .word2vec)`
    /// gives the classic recipe with the output bias and the input table.
    public init(candidates: Int = Settings().candidates, sampler: CandidateDistribution = Settings().candidateSampler,
                unique: Bool = true, pairs: PairSelection = Self.defaultPairs, optimizer: SampledOptimizer = SampledTraining.defaultSGD,
                initialization: SampledInitialization = Self.defaultInitialization, output: SampledOutput = SampledTraining().output,
                threads: Int = SampledTraining().threads, outputBias: Bool = Settings().outputBias) {
        self.candidates = candidates
        self.sampler = sampler
        self.unique = unique
        self.pairs = pairs
        self.optimizer = optimizer
        self.initialization = initialization
        self.output = output
        self.threads = threads
        self.outputBias = outputBias
    }

    public static var startRequirement: StartRequirement { .none }

    public struct State {
        let tables: EmbeddingTables
        let source: PairSource
        let sampler: CandidateSampler
        var random: SeededGenerator
        var epoch: Int
        var loss: Double
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        guard candidates >= 1, threads >= 1 else {
            throw ProblemError.invalidOption("sampled-softmax needs candidates ≥ 1 and threads ≥ 1")
        }
        try pairs.validate()
        try optimizer.validate()
        let s = try SampledSetup.interactions(context, method: name)
        let source = try PairSource(s)
        let candidateSampler = try CandidateSampler(sampler, counts: SampledSetup.likeCounts(s))
        if unique, candidates >= candidateSampler.supportSize {
            throw ProblemError.invalidOption("unique sampling needs fewer candidates (\(candidates)) than items the sampler can draw (\(candidateSampler.supportSize))")
        }
        var rng = context.random
        let tables = EmbeddingTables(items: s.columns, dimension: context.dimension, initialization: initialization,
                                     bias: outputBias, adam: optimizer.isAdam, &rng)
        let loss = context.objective.loss(tables.embedding(output))
        return State(tables: tables, source: source, sampler: candidateSampler, random: rng, epoch: 0, loss: loss)
    }

    public func step(_ state: inout State, context: SolverContext) throws -> StepReport {
        let objective = SampledSoftmaxObjective(sampler: state.sampler, candidates: candidates, unique: unique,
                                                usesBias: outputBias)
        let stats = PairTrainer.epoch(objective, tables: state.tables, source: state.source, selection: pairs,
                                      optimizer: optimizer, threads: threads, epochIndex: state.epoch, stop: context.stop, &state.random)
        state.epoch += 1
        state.loss = context.objective.loss(state.tables.embedding(output))
        return StepReport(stepSize: optimizer.rate(progress: Double(state.epoch)), extras: stats.extras)
    }

    public func embedding(of state: State) -> Matrix { state.tables.embedding(output) }
    public func loss(of state: State) -> Double { state.loss }

    /// The learned output biases b (one per item), when they are learned.
    public func extras(of state: State, context: SolverContext) -> [String: [Double]] {
        state.tables.bias.map { ["outputBias": $0.array] } ?? [:]
    }
}

struct SampledSoftmaxObjective: PairObjective {
    let sampler: CandidateSampler
    let candidates: Int
    let unique: Bool
    let usesBias: Bool
    var maxTargets: Int { candidates + 1 }
    func makeKernel() -> SampledSoftmaxKernel {
        SampledSoftmaxKernel(sampler: sampler, candidates: candidates, unique: unique)
    }
}

/// Owns per-thread scratch (membership stamps, log expected counts); a final class so the
/// buffers are freed with the kernel.
final class SampledSoftmaxKernel: PairKernel {
    let sampler: CandidateSampler
    let candidates: Int
    let unique: Bool
    let stamps: UnsafeMutablePointer<UInt32>
    /// log E[count] of each target of the current example.
    let logQ: UnsafeMutablePointer<Double>
    var stamp: UInt32 = 0
    /// Draws made for the current example.
    var tries = 0

    init(sampler: CandidateSampler, candidates: Int, unique: Bool) {
        self.sampler = sampler
        self.candidates = candidates
        self.unique = unique
        stamps = .allocate(capacity: sampler.itemCount)
        stamps.initialize(repeating: 0, count: sampler.itemCount)
        logQ = .allocate(capacity: candidates + 1)
        logQ.initialize(repeating: 0, count: candidates + 1)
    }

    deinit {
        stamps.deallocate()
        logQ.deallocate()
    }

    @inline(__always)
    func prepare(center: Int, positive: Int, targets: UnsafeMutablePointer<Int32>, _ rng: inout SeededGenerator) -> Int {
        if stamp == .max { stamps.update(repeating: 0, count: sampler.itemCount); stamp = 0 }
        stamp &+= 1
        targets[0] = Int32(truncatingIfNeeded: positive)
        tries = sampler.draw(candidates, unique: unique, into: targets + 1, stamps: stamps, stamp: stamp, &rng)
        // Drop accidental hits, keeping the order of the rest.
        var n = 1
        for c in 1...candidates where Int(targets[c]) != positive {
            targets[n] = targets[c]
            n &+= 1
        }
        for c in 0..<n { logQ[c] = sampler.logExpectedCount(of: Int(targets[c]), tries: tries, unique: unique) }
        return n
    }

    /// ℓ = logsumexp(z) − z₀ with z_c = s_c − log E[count_c]; ∂ℓ/∂s_c = softmax(z)_c − [c = 0].
    @inline(__always)
    func lossAndCoefficients(_ z: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
        for c in 0..<n { z[c] -= logQ[c] }
        return RowKernels.softmaxCrossEntropy(z, n)
    }
}
