#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import LinearAlgebra

/// Skip-gram with negative sampling (Mikolov et al. 2013) on item co-occurrence: items liked by
/// the same user play the role of words in the same window.
///
/// Per positive pair (i, j) with K noise items n_k ∼ count^α:
///
///     ℓ = −log σ(u_jᵀv_i) − Σ_k log σ(−u_{n_k}ᵀv_i)
///
/// with input vectors v and output vectors u. At its optimum u_jᵀv_i = PMI(i, j) − log K
/// (Levy & Goldberg 2014), which ties it to the closed-form solvers on the SPPMI transform.
///
/// One driver iteration is one epoch over the positive pairs chosen by `pairs` (see
/// `PairSelection`), users in a seeded shuffled order. Updates are applied per example with
/// lock-free Hogwild writes from `threads` threads (see `SharedBuffer`): with one thread the run
/// is reproducible bit for bit from the seed, with more it is not. Noise draws equal to the
/// positive item are skipped, as in word2vec.
///
/// The trace's loss is the masked loss L(V) of the reported embedding, so runs compare with the
/// other methods on one scale; the sampled objective itself is in the extras (`sampledLoss`,
/// averaged over the epoch's examples as they were visited), with `pairs`, `scoredPairs`
/// (positives plus negatives), `pairsPerSecond` and `scoredPairsPerSecond`.
///
/// `sharedNegatives` = B > 0 switches to negative sharing (see `SharedNegatives`): the K noise
/// items are drawn once per batch of up to B contexts of one target and the batch is updated with
/// three small matrix products (BLAS). Same positive pairs per epoch, K + 1 scores per pair, SGD
/// only. 0 keeps word2vec's per-pair updates.
public struct SkipGramNegativeSampling: SolverMethod, Equatable {
    /// K, noise items per positive pair.
    public var negatives: Int
    /// α in noise ∝ count^α (word2vec's 0.75; 0 = uniform over all items, 1 = unigram).
    public var noisePower: Double
    public var pairs: PairSelection
    public var optimizer: SampledOptimizer
    public var initialization: SampledInitialization
    public var output: SampledOutput
    /// Worker threads (Hogwild). 1 makes the run deterministic.
    public var threads: Int
    /// B: contexts of one target sharing one draw of K negatives (1…1024); 0 = per-pair updates.
    public var sharedNegatives: Int

    /// The defaults are `Settings`' (the command line's and `compare`'s), so `Self()` is the
    /// recommended method; `init(preset: .word2vec)` is word2vec's plain algorithm. A nil
    /// `sharedNegatives` shares over the default batch with SGD and updates per pair with Adam,
    /// as the settings do.
    public init(negatives: Int = Settings().negatives, noisePower: Double = Settings().noisePower,
                pairs: PairSelection = Self.defaultPairs, optimizer: SampledOptimizer = SampledTraining.defaultSGD,
                initialization: SampledInitialization = Self.defaultInitialization, output: SampledOutput = SampledTraining().output,
                threads: Int = SampledTraining().threads, sharedNegatives: Int? = nil) {
        self.negatives = negatives
        self.noisePower = noisePower
        self.pairs = pairs
        self.optimizer = optimizer
        self.initialization = initialization
        self.output = output
        self.threads = threads
        self.sharedNegatives = sharedNegatives ?? (optimizer.isAdam ? 0 : Settings().sharedNegatives)
    }

    public static var startRequirement: StartRequirement { .none }

    public struct State {
        let tables: EmbeddingTables
        let source: PairSource
        let noise: AliasTable
        var random: SeededGenerator
        var epoch: Int
        var loss: Double
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        guard negatives >= 1, threads >= 1, noisePower >= 0, noisePower.isFinite else {
            throw ProblemError.invalidOption("sgns needs negatives ≥ 1, threads ≥ 1 and noisePower ≥ 0")
        }
        try pairs.validate()
        try optimizer.validate()
        guard (0...SharedNegatives.maxBatch).contains(sharedNegatives) else {
            throw ProblemError.invalidOption("sgns shared-negative batch must be 0 (off) … \(SharedNegatives.maxBatch), got \(sharedNegatives)")
        }
        guard sharedNegatives == 0 || !optimizer.isAdam else {
            throw ProblemError.invalidOption("sgns negative sharing trains with SGD only (not Adam)")
        }
        let s = try SampledSetup.interactions(context, method: name)
        let source = try PairSource(s)
        let noise = try AliasTable(weights: SampledSetup.noiseWeights(s, power: noisePower))
        var rng = context.random
        let tables = EmbeddingTables(items: s.columns, dimension: context.dimension, initialization: initialization,
                                     bias: false, adam: optimizer.isAdam, &rng)
        let loss = context.objective.loss(tables.embedding(output))
        return State(tables: tables, source: source, noise: noise, random: rng, epoch: 0, loss: loss)
    }

    public func step(_ state: inout State, context: SolverContext) throws -> StepReport {
        let stats: EpochStatistics
        if sharedNegatives > 0 {
            stats = SharedNegatives.epoch(noise: state.noise, negatives: negatives, batch: sharedNegatives,
                                          tables: state.tables, source: state.source, selection: pairs,
                                          optimizer: optimizer, threads: threads, epochIndex: state.epoch, stop: context.stop, &state.random)
        } else {
            let objective = SGNSObjective(noise: state.noise, negatives: negatives)
            stats = PairTrainer.epoch(objective, tables: state.tables, source: state.source, selection: pairs,
                                      optimizer: optimizer, threads: threads, epochIndex: state.epoch, stop: context.stop, &state.random)
        }
        state.epoch += 1
        state.loss = context.objective.loss(state.tables.embedding(output))
        return StepReport(stepSize: optimizer.rate(progress: Double(state.epoch)), extras: stats.extras)
    }

    public func embedding(of state: State) -> Matrix { state.tables.embedding(output) }
    public func loss(of state: State) -> Double { state.loss }
}

struct SGNSObjective: PairObjective {
    let noise: AliasTable
    let negatives: Int
    var maxTargets: Int { negatives + 1 }
    var usesBias: Bool { false }
    func makeKernel() -> SGNSKernel { SGNSKernel(noise: noise, negatives: negatives) }
}

struct SGNSKernel: PairKernel {
    let noise: AliasTable
    let negatives: Int

    @inline(__always)
    mutating func prepare(center: Int, positive: Int, targets: UnsafeMutablePointer<Int32>,
                          _ rng: inout SeededGenerator) -> Int {
        targets[0] = Int32(truncatingIfNeeded: positive)
        return 1 + noise.drawNegatives(negatives, excluding: positive, into: targets + 1, &rng)
    }

    /// ℓ = −log σ(s₀) − Σ_{c≥1} log σ(−s_c); ∂ℓ/∂s₀ = σ(s₀) − 1, ∂ℓ/∂s_c = σ(s_c).
    @inline(__always)
    mutating func lossAndCoefficients(_ z: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
        var loss = -RowKernels.logSigmoid(z[0])
        z[0] = -RowKernels.sigmoid(-z[0])
        for c in 1..<max(1, n) {
            loss -= RowKernels.logSigmoid(-z[c])
            z[c] = RowKernels.sigmoid(z[c])
        }
        return loss
    }
}

extension AliasTable {
    /// Draws `count` noise items into `out`, dropping draws equal to `excluded` (a positive is
    /// never its own negative, as in word2vec); returns how many were kept.
    @inline(__always)
    func drawNegatives(_ count: Int, excluding excluded: Int, into out: UnsafeMutablePointer<Int32>,
                       _ rng: inout SeededGenerator) -> Int {
        var n = 0
        for _ in 0..<count {
            let x = sample(&rng)
            if x == excluded { continue }
            out[n] = Int32(truncatingIfNeeded: x)
            n &+= 1
        }
        return n
    }
}

/// Checks shared by the sampled methods.
enum SampledSetup {
    /// S from the problem: the sampled methods train on who liked what, not on X.
    static func interactions(_ context: SolverContext, method: String) throws -> SparseMatrix {
        guard case let .interactions(s) = context.problem.source else {
            throw ProblemError.invalidOption("\(method) trains on interactions (users × items); this problem has an explicit X")
        }
        return s
    }

    /// Likes per item (stored entries of S per column).
    static func likeCounts(_ s: SparseMatrix) -> [Double] {
        var c = [Double](repeating: 0, count: s.columns)
        for k in s.columnIndices { c[Int(k)] += 1 }
        return c
    }

    /// count^α, with α = 0 meaning uniform over every item (including ones nobody liked).
    static func noiseWeights(_ s: SparseMatrix, power: Double) -> [Double] {
        let counts = likeCounts(s)
        return power == 0 ? counts.map { _ in 1 } : counts.map { $0 > 0 ? pow($0, power) : 0 }
    }
}

extension PairSelection {
    func validate() throws {
        if case let .sampled(perLike) = self, !(perLike > 0 && perLike.isFinite) {
            throw ProblemError.invalidOption("pairs per like must be a positive number, got \(perLike)")
        }
    }
}
