#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import LinearAlgebra

/// In-batch negatives (two-tower / DSSM practice): a batch of B positive pairs (i_b, j_b) is
/// scored as a softmax in which every other pair's output item is a negative, so negatives cost
/// no sampling and follow the pair distribution.
///
/// Logits z_bc = q_bᵀk_c / τ − log Q(j_c), with q_b = v_{i_b} (input table), k_c = u_{j_c}
/// (output table), both L2-normalised when `normalize` is on (the gradient goes through the
/// normalisation). The loss is the mean over b of the cross-entropy with c = b as the class.
/// An output item that occurs twice in a batch would be its own negative; such columns are
/// masked (logit −∞) for the rows whose positive they equal.
///
/// Each epoch draws its pairs as `pairs` says, shuffles them (so a batch mixes users) and cuts
/// them into batches; a final batch of fewer than two pairs is dropped. Rows touched by a batch
/// are updated once with the batch gradient (lazy per-row Adam by default). Single-threaded and
/// deterministic for a seed: the B × B logits and their gradients are three gemm calls, which
/// is where the time goes.
///
/// The trace's loss is the masked loss L(V) of the reported embedding; the extras carry
/// `sampledLoss` (mean batch loss over the epoch), `pairs`, `scoredPairs` (logits computed,
/// B² per full batch) and the rates per second.
public struct InBatchNegatives: SolverMethod, Equatable {
    /// Which in-batch items act as negatives.
    public enum Negatives: Sendable, Equatable {
        /// The full B × B softmax: every other output item of the batch (B − 1 negatives).
        case full
        /// NEG shifted copies of the batch: row b is scored against the outputs of rows
        /// b + 1, …, b + NEG (mod B). Cost B·(NEG + 1) instead of B².
        case shifted(Int)
    }

    /// The log Q correction for the popularity bias of in-batch negatives (Yi et al. 2019).
    public enum Correction: Sendable, Equatable {
        case none
        /// Q(j) = frequency of j as the output item of a positive pair: c_j / T with
        /// c_j = Σ_{i≠j} X_ij and T = Σ_j c_j (exact for the epoch's pair distribution).
        case counts
        /// Yi et al.'s streaming estimate without hashing: per item the last batch step it was
        /// seen, A_j, and a moving average of the gap between sightings,
        /// B_j ← (1 − rate)·B_j + rate·(t − A_j); Q(j) = 1 / B_j. At an item's first sighting
        /// B_j is set to t (the gap since the start).
        case streaming(rate: Double)
    }

    public var batchSize: Int
    public var negatives: Negatives
    public var correction: Correction
    /// τ. With normalised vectors the logits lie in [−1/τ, 1/τ]; the default 0.2 (logits in
    /// [−5, 5]) is what beat popularity on the hold-out (0.05, [−20, 20], is common two-tower
    /// practice); without normalisation use τ ≈ 1.
    public var temperature: Double
    /// L2-normalise q and k before scoring. The reported embedding is then normalised too
    /// (those are the vectors the model scores with).
    public var normalize: Bool
    public var pairs: PairSelection
    public var optimizer: SampledOptimizer
    public var initialization: SampledInitialization
    public var output: SampledOutput

    /// The defaults are `Settings`' (the command line's and `compare`'s).
    public init(batchSize: Int = Settings().batchSize, negatives: Negatives = Settings().negatives,
                correction: Correction = Settings().correction, temperature: Double = Settings().temperature,
                normalize: Bool = Settings().normalize, pairs: PairSelection = Self.defaultPairs,
                optimizer: SampledOptimizer = .adam(learningRate: Self.defaultAdamRate),
                initialization: SampledInitialization = Self.defaultInitialization,
                output: SampledOutput = SampledTraining().output) {
        self.batchSize = batchSize
        self.negatives = negatives
        self.correction = correction
        self.temperature = temperature
        self.normalize = normalize
        self.pairs = pairs
        self.optimizer = optimizer
        self.initialization = initialization
        self.output = output
    }

    public static var startRequirement: StartRequirement { .none }

    public struct State {
        let tables: EmbeddingTables
        let source: PairSource
        /// log Q(j) for `.counts`.
        let logFrequency: [Double]
        /// Streaming estimator state (last step, mean gap).
        var lastSeen: [Int]
        var meanGap: [Double]
        var batchStep: Int
        var random: SeededGenerator
        var epoch: Int
        var loss: Double
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        guard batchSize >= 2, temperature > 0, temperature.isFinite else {
            throw ProblemError.invalidOption("in-batch needs batchSize ≥ 2 and temperature > 0")
        }
        if case let .shifted(k) = negatives, !(1..<batchSize).contains(k) {
            throw ProblemError.invalidOption("in-batch shifted negatives need 1 ≤ NEG < batchSize, got \(k)")
        }
        if case let .streaming(rate) = correction, !(rate > 0 && rate <= 1) {
            throw ProblemError.invalidOption("streaming frequency rate must be in (0, 1], got \(rate)")
        }
        if normalize, initialization == .word2vec {
            throw ProblemError.invalidOption("in-batch with normalisation needs a non-zero output table: use the uniform initialisation")
        }
        try pairs.validate()
        try optimizer.validate()
        let s = try SampledSetup.interactions(context, method: name)
        let source = try PairSource(s)
        var rng = context.random
        let tables = EmbeddingTables(items: s.columns, dimension: context.dimension, initialization: initialization,
                                     bias: false, adam: optimizer.isAdam, &rng)
        let logFrequency = Self.pairFrequencies(s).map { $0 > 0 ? log($0) : 0 }
        let m = s.columns
        let loss = context.objective.loss(Self.reported(tables, output, normalize))
        return State(tables: tables, source: source, logFrequency: logFrequency, lastSeen: [Int](repeating: 0, count: m),
                     meanGap: [Double](repeating: 0, count: m), batchStep: 0, random: rng, epoch: 0, loss: loss)
    }

    /// c_j / T: the share of positive pairs whose output item is j. For binary S,
    /// c_j = Σ_{u likes j} (n_u − 1).
    static func pairFrequencies(_ s: SparseMatrix) -> [Double] {
        var c = [Double](repeating: 0, count: s.columns)
        var total = 0.0
        for u in 0..<s.rows {
            let n = s.rowPointers[u + 1] - s.rowPointers[u]
            guard n >= 2 else { continue }
            for k in s.rowPointers[u]..<s.rowPointers[u + 1] { c[Int(s.columnIndices[k])] += Double(n - 1) }
            total += Double(n * (n - 1))
        }
        return total > 0 ? c.map { $0 / total } : c
    }

    static func reported(_ tables: EmbeddingTables, _ output: SampledOutput, _ normalize: Bool) -> Matrix {
        guard normalize else { return tables.embedding(output) }
        let m = tables.items, d = tables.dimension
        var rows = [Double](repeating: 0, count: m * d)
        func addNormalised(_ p: UnsafeMutablePointer<Double>, weight: Double) {
            for i in 0..<m {
                let r = p + i * d
                let norm = RowKernels.dot(r, r, d).squareRoot()
                if norm > 0 { let w = weight / norm; for k in 0..<d { rows[i * d + k] += w * r[k] } }
            }
        }
        if output == .average {
            addNormalised(tables.input.pointer, weight: 0.5)
            addNormalised(tables.output.pointer, weight: 0.5)
        } else {
            addNormalised(tables.input.pointer, weight: 1)
        }
        return Matrix(rows: m, columns: d, rowMajor: rows)
    }

    public func step(_ state: inout State, context: SolverContext) throws -> StepReport {
        let clock = ContinuousClock()
        let t0 = clock.now
        let d = state.tables.dimension, m = state.tables.items
        // The epoch's pairs, shuffled across users.
        let plan = state.source.plan(pairs, parts: 1, &state.random)[0]
        var centers: [Int32] = [], contexts: [Int32] = []
        let expected = Int(state.source.pairsPerEpoch(pairs)) + plan.count
        centers.reserveCapacity(expected); contexts.reserveCapacity(expected)
        for task in plan {
            // A long plan (many pairs per like) is itself worth stopping in.
            if context.stop.isStopRequested { context.stop.noteAbandonedIteration(); centers.removeAll(); break }
            state.source.forEachPair(task, selection: pairs, &state.random) { i, j, _ in
                centers.append(Int32(i)); contexts.append(Int32(j))
            }
        }
        var order = Array(0..<centers.count)
        RowKernels.shuffle(&order, &state.random)

        let kernel = InBatchKernel(dimension: d, capacity: batchSize, items: m)
        var adam: RowAdam?
        if case let .adam(_, b1, b2, eps) = optimizer { adam = RowAdam(beta1: b1, beta2: b2, epsilon: eps) }
        var stats = EpochStatistics()
        let batches = order.count / batchSize + (order.count % batchSize >= 2 ? 1 : 0)
        for batch in 0..<batches {
            // Stop requests (signal, deadline) are honoured between batches.
            if context.stop.isStopRequested { context.stop.noteAbandonedIteration(); break }
            let lo = batch * batchSize, b = min(batchSize, order.count - lo)
            for r in 0..<b {
                kernel.queryItems[r] = centers[order[lo + r]]
                kernel.keyItems[r] = contexts[order[lo + r]]
            }
            state.batchStep += 1
            switch correction {
            case .none:
                for r in 0..<b { kernel.logQ[r] = 0 }
            case .counts:
                for r in 0..<b { kernel.logQ[r] = state.logFrequency[Int(kernel.keyItems[r])] }
            case let .streaming(rate):
                let t = state.batchStep
                for r in 0..<b {
                    let j = Int(kernel.keyItems[r])
                    if state.lastSeen[j] == t { continue } // once per batch
                    state.meanGap[j] = state.lastSeen[j] == 0 ? Double(t)
                        : (1 - rate) * state.meanGap[j] + rate * Double(t - state.lastSeen[j])
                    state.lastSeen[j] = t
                }
                for r in 0..<b { kernel.logQ[r] = -log(state.meanGap[Int(kernel.keyItems[r])]) }
            }
            kernel.gather(state.tables, count: b)
            let loss = kernel.lossAndGradient(count: b, negatives: negatives, temperature: temperature, normalize: normalize)
            stats.lossSum += loss * Double(b)
            stats.pairs += b
            switch negatives {
            case .full: stats.scored += b * b
            case let .shifted(k): stats.scored += b * (min(k, b - 1) + 1)
            }
            let progress = Double(state.epoch) + Double(batch) / Double(max(1, batches))
            kernel.apply(state.tables, count: b, optimizer: optimizer, adam: adam, rate: optimizer.rate(progress: progress))
        }
        let elapsed = clock.now - t0
        stats.seconds = elapsed.seconds
        state.epoch += 1
        state.loss = context.objective.loss(Self.reported(state.tables, output, normalize))
        return StepReport(stepSize: optimizer.rate(progress: Double(state.epoch)), extras: stats.extras)
    }

    public func embedding(of state: State) -> Matrix { Self.reported(state.tables, output, normalize) }
    public func loss(of state: State) -> Double { state.loss }
}

/// Scratch and arithmetic for one batch. Vectors are held as D × B column-major matrices
/// (column b = the batch's b-th row vector, contiguous), so the B × B logits and both gradients
/// are single gemm calls.
final class InBatchKernel {
    let dimension: Int
    let capacity: Int
    var queryItems: [Int32]
    var keyItems: [Int32]
    /// log Q of each key column.
    var logQ: [Double]
    /// Raw gathered vectors, then (normalised) vectors used in the logits, and their gradients.
    var q: Matrix, k: Matrix, qHat: Matrix, kHat: Matrix, dq: Matrix, dk: Matrix
    var qNorm: [Double], kNorm: [Double]
    var logits: Matrix
    /// Row → slot of the accumulated gradient for distinct items (stamp-based map).
    var slotOf: [Int32], slotStamp: [Int], stamp = 0
    var rowGradient: [Double]

    init(dimension d: Int, capacity b: Int, items m: Int) {
        dimension = d
        capacity = b
        queryItems = [Int32](repeating: 0, count: b)
        keyItems = [Int32](repeating: 0, count: b)
        logQ = [Double](repeating: 0, count: b)
        q = Matrix(rows: d, columns: b); k = q; qHat = q; kHat = q; dq = q; dk = q
        qNorm = [Double](repeating: 1, count: b); kNorm = qNorm
        logits = Matrix(rows: b, columns: b)
        slotOf = [Int32](repeating: 0, count: m)
        slotStamp = [Int](repeating: 0, count: m)
        rowGradient = [Double](repeating: 0, count: b * d)
    }

    /// Resizes the matrices for a batch of `b` columns (only the last batch differs).
    private func ensure(_ b: Int) {
        if q.columns == b { return }
        let d = dimension
        q = Matrix(rows: d, columns: b); k = q; qHat = q; kHat = q; dq = q; dk = q
        logits = Matrix(rows: b, columns: b)
    }

    func gather(_ tables: EmbeddingTables, count b: Int) {
        ensure(b)
        let d = dimension
        let input = tables.input.pointer, output = tables.output.pointer
        q.storage.withUnsafeMutableBufferPointer { qs in
            k.storage.withUnsafeMutableBufferPointer { ks in
                for r in 0..<b {
                    (qs.baseAddress! + r * d).update(from: input + Int(queryItems[r]) * d, count: d)
                    (ks.baseAddress! + r * d).update(from: output + Int(keyItems[r]) * d, count: d)
                }
            }
        }
    }

    /// Mean cross-entropy of the batch in `q`, `k` (columns 0..<b); leaves ∂loss/∂q, ∂loss/∂k in
    /// `dq`, `dk`.
    func lossAndGradient(count b: Int, negatives: InBatchNegatives.Negatives, temperature tau: Double,
                         normalize: Bool) -> Double {
        ensure(b)
        let d = dimension
        if normalize {
            Self.normalizeColumns(q, into: &qHat, norms: &qNorm, d: d, b: b)
            Self.normalizeColumns(k, into: &kHat, norms: &kNorm, d: d, b: b)
        } else {
            qHat = q; kHat = k
        }
        let scale = 1 / (tau * Double(b)) // d loss / d similarity = coefficient / (τ·b)
        var loss = 0.0
        switch negatives {
        case .full:
            // logits column r = query r's scores over all keys: Kᵀ·Q / τ.
            BLAS.gemm(.transpose, kHat, .none, qHat, alpha: 1 / tau, beta: 0, into: &logits)
            logits.storage.withUnsafeMutableBufferPointer { zs in
                for r in 0..<b {
                    let z = zs.baseAddress! + r * b
                    for c in 0..<b {
                        z[c] -= logQ[c]
                        if c != r, keyItems[c] == keyItems[r] { z[c] = -.infinity }
                    }
                    loss += Self.crossEntropy(z, b, positive: r)
                    for c in 0..<b { z[c] *= scale }
                }
            }
            // dq̂ = K̂·dSᵀ-by-columns, dk̂ = Q̂·dS: with G[c, r] = ∂/∂s_rc, dQ̂ = K̂·G, dK̂ = Q̂·Gᵀ.
            BLAS.gemm(.none, kHat, .none, logits, into: &dq)
            BLAS.gemm(.none, qHat, .transpose, logits, into: &dk)
        case let .shifted(negCount):
            let shifts = min(negCount, b - 1) + 1
            var z = [Double](repeating: 0, count: shifts)
            dq.storage.withUnsafeMutableBufferPointer { dqs in dqs.update(repeating: 0) }
            dk.storage.withUnsafeMutableBufferPointer { dks in dks.update(repeating: 0) }
            qHat.storage.withUnsafeBufferPointer { qs in
            kHat.storage.withUnsafeBufferPointer { ks in
            dq.storage.withUnsafeMutableBufferPointer { dqs in
            dk.storage.withUnsafeMutableBufferPointer { dks in
            z.withUnsafeMutableBufferPointer { zb in
                let (qp, kp, dqp, dkp, zp) = (qs.baseAddress!, ks.baseAddress!, dqs.baseAddress!, dks.baseAddress!, zb.baseAddress!)
                for r in 0..<b {
                    for s in 0..<shifts {
                        let c = (r + s) % b
                        zp[s] = s != 0 && keyItems[c] == keyItems[r] ? -.infinity
                            : RowKernels.dot(qp + r * d, kp + c * d, d) / tau - logQ[c]
                    }
                    loss += Self.crossEntropy(zp, shifts, positive: 0)
                    for s in 0..<shifts where zp[s] != 0 {
                        let c = (r + s) % b, g = zp[s] * scale
                        RowKernels.axpy(g, kp + c * d, dqp + r * d, d)
                        RowKernels.axpy(g, qp + r * d, dkp + c * d, d)
                    }
                }
            }}}}}
        }
        if normalize {
            Self.backThroughNormalization(&dq, hat: qHat, norms: qNorm, d: d, b: b)
            Self.backThroughNormalization(&dk, hat: kHat, norms: kNorm, d: d, b: b)
        }
        return loss / Double(b)
    }

    /// Cross-entropy with class `positive`; overwrites z with softmax(z) − e_positive.
    /// Masked entries (−∞) get probability and coefficient 0.
    static func crossEntropy(_ z: UnsafeMutablePointer<Double>, _ n: Int, positive: Int) -> Double {
        var mx = -Double.infinity
        for c in 0..<n where z[c] > mx { mx = z[c] }
        let zTrue = z[positive] - mx
        var sum = 0.0
        for c in 0..<n { let e = exp(z[c] - mx); z[c] = e; sum += e }
        let inv = 1 / sum
        for c in 0..<n { z[c] *= inv }
        z[positive] -= 1
        return log(sum) - zTrue
    }

    static func normalizeColumns(_ a: Matrix, into out: inout Matrix, norms: inout [Double], d: Int, b: Int) {
        a.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for r in 0..<b {
                    let x = src.baseAddress! + r * d, y = dst.baseAddress! + r * d
                    let n = RowKernels.dot(x, x, d).squareRoot()
                    norms[r] = n
                    let inv = n > 0 ? 1 / n : 0
                    for t in 0..<d { y[t] = x[t] * inv }
                }
            }
        }
    }

    /// ∂/∂x of a function of x̂ = x/‖x‖: (g − x̂(x̂ᵀg)) / ‖x‖, column by column in place.
    static func backThroughNormalization(_ g: inout Matrix, hat: Matrix, norms: [Double], d: Int, b: Int) {
        hat.storage.withUnsafeBufferPointer { hs in
            g.storage.withUnsafeMutableBufferPointer { gs in
                for r in 0..<b {
                    let h = hs.baseAddress! + r * d, gr = gs.baseAddress! + r * d
                    let proj = RowKernels.dot(h, gr, d)
                    let inv = norms[r] > 0 ? 1 / norms[r] : 0
                    for t in 0..<d { gr[t] = (gr[t] - h[t] * proj) * inv }
                }
            }
        }
    }

    /// Sums the gradient columns per distinct item and applies one update per touched row.
    func apply(_ tables: EmbeddingTables, count b: Int, optimizer: SampledOptimizer, adam: RowAdam?, rate: Double) {
        scatter(dq, items: queryItems, b: b, table: tables.input.pointer, m: tables.inputM?.pointer, v: tables.inputV?.pointer,
                steps: tables.inputSteps?.pointer, adam: adam, rate: rate)
        scatter(dk, items: keyItems, b: b, table: tables.output.pointer, m: tables.outputM?.pointer, v: tables.outputV?.pointer,
                steps: tables.outputSteps?.pointer, adam: adam, rate: rate)
    }

    private func scatter(_ grad: Matrix, items: [Int32], b: Int, table: UnsafeMutablePointer<Double>,
                         m: UnsafeMutablePointer<Double>?, v: UnsafeMutablePointer<Double>?, steps: UnsafeMutablePointer<Int>?,
                         adam: RowAdam?, rate: Double) {
        let d = dimension
        stamp += 1
        var distinct: [Int] = []
        distinct.reserveCapacity(b)
        grad.storage.withUnsafeBufferPointer { gs in
            rowGradient.withUnsafeMutableBufferPointer { acc in
                for r in 0..<b {
                    let item = Int(items[r])
                    let src = gs.baseAddress! + r * d
                    if slotStamp[item] != stamp {
                        slotStamp[item] = stamp
                        slotOf[item] = Int32(distinct.count)
                        (acc.baseAddress! + distinct.count * d).update(from: src, count: d)
                        distinct.append(item)
                    } else {
                        RowKernels.axpy(1, src, acc.baseAddress! + Int(slotOf[item]) * d, d)
                    }
                }
                for (slot, item) in distinct.enumerated() {
                    let g = UnsafePointer(acc.baseAddress! + slot * d), off = item * d
                    if let adam, let m, let v, let steps {
                        steps[item] += 1
                        adam.update(table + off, m: m + off, v: v + off, grad: g, scale: 1, count: d, rate: rate, step: steps[item])
                    } else {
                        RowKernels.axpy(-rate, g, table + off, d)
                    }
                }
            }
        }
    }
}
