import Dispatch
import LinearAlgebra

/// The per-thread part of a pair objective: picks the targets of one example and turns their
/// scores into a loss and coefficients. Everything else (scores, gradients, updates, threads)
/// is shared by SGNS and sampled softmax in `PairTrainer`.
protocol PairKernel {
    /// Fills `targets[0..<n]` with output rows for the example (center i, positive j) and returns
    /// n. `targets[0]` is always the positive item j.
    mutating func prepare(center: Int, positive: Int, targets: UnsafeMutablePointer<Int32>,
                          _ rng: inout SeededGenerator) -> Int
    /// Receives the scores s_c = v_iᵀu_c (+ b_c) in `z[0..<n]`, returns the example's loss ℓ and
    /// overwrites `z` with ∂ℓ/∂s_c.
    mutating func lossAndCoefficients(_ z: UnsafeMutablePointer<Double>, _ n: Int) -> Double
}

/// A pair objective's thread-safe description: makes one kernel per worker thread.
protocol PairObjective: Sendable {
    associatedtype Kernel: PairKernel
    /// Most targets one example can have (1 + negatives).
    var maxTargets: Int { get }
    /// Whether scores include an output bias b_c.
    var usesBias: Bool { get }
    func makeKernel() -> Kernel
}

/// What one epoch did.
struct EpochStatistics {
    var pairs = 0
    /// Positive plus sampled (negative) scores computed.
    var scored = 0
    var lossSum = 0.0
    var seconds = 0.0

    var extras: [String: Double] {
        let p = Double(pairs)
        return ["sampledLoss": pairs > 0 ? lossSum / p : 0, "pairs": p, "scoredPairs": Double(scored),
                "pairsPerSecond": seconds > 0 ? p / seconds : 0,
                "scoredPairsPerSecond": seconds > 0 ? Double(scored) / seconds : 0]
    }
}

/// The Hogwild training loop shared by the per-pair objectives (SGNS, sampled softmax).
enum PairTrainer {
    /// Scores the targets of one example, computes its loss, writes ∂ℓ/∂s_c into `z` and the
    /// gradient with respect to v_i into `gv`. The hot loop and the gradient tests both use it.
    @inline(__always)
    static func scoreAndGradient<K: PairKernel>(
        _ kernel: inout K, vi: UnsafePointer<Double>, output: UnsafePointer<Double>, bias: UnsafePointer<Double>?,
        targets: UnsafePointer<Int32>, count n: Int, z: UnsafeMutablePointer<Double>, gv: UnsafeMutablePointer<Double>,
        dimension d: Int
    ) -> Double {
        let loss = score(&kernel, vi: vi, output: output, bias: bias, targets: targets, count: n, z: z, dimension: d)
        gv.update(repeating: 0, count: d)
        for c in 0..<n where z[c] != 0 { RowKernels.axpy(z[c], output + Int(targets[c]) &* d, gv, d) }
        return loss
    }

    /// Scores the targets and turns the scores into the loss and coefficients ∂ℓ/∂s_c (in `z`).
    @inline(__always)
    static func score<K: PairKernel>(
        _ kernel: inout K, vi: UnsafePointer<Double>, output: UnsafePointer<Double>, bias: UnsafePointer<Double>?,
        targets: UnsafePointer<Int32>, count n: Int, z: UnsafeMutablePointer<Double>, dimension d: Int
    ) -> Double {
        for c in 0..<n {
            let t = Int(targets[c])
            var s = RowKernels.dot(vi, output + t &* d, d)
            if let bias { s += bias[t] }
            z[c] = s
        }
        return kernel.lossAndCoefficients(z, n)
    }

    /// One epoch: plan the pairs, run `threads` workers over their chunks, gather statistics.
    static func epoch<O: PairObjective>(
        _ objective: O, tables: EmbeddingTables, source: PairSource, selection: PairSelection,
        optimizer: SampledOptimizer, threads: Int, epochIndex: Int, stop: StopToken = StopToken(),
        _ rng: inout SeededGenerator
    ) -> EpochStatistics {
        runEpoch(source: source, selection: selection, threads: threads, &rng) { tasks, local in
            worker(objective, tables: tables, source: source, selection: selection, optimizer: optimizer,
                   tasks: tasks, epochIndex: epochIndex, stop: stop, &local)
        }
    }

    /// The threading shared by every pair trainer: plans the epoch's tasks, runs one worker per
    /// chunk with its own split of a fresh seeded stream (Hogwild on the shared tables), and adds
    /// up what the workers did.
    static func runEpoch(
        source: PairSource, selection: PairSelection, threads: Int, _ rng: inout SeededGenerator,
        worker: @escaping @Sendable ([PairTask], inout SeededGenerator) -> (pairs: Int, scored: Int, lossSum: Double)
    ) -> EpochStatistics {
        let chunks = source.plan(selection, parts: threads, &rng)
        let streams = SeededGenerator(seed: rng.next())
        let results = SharedBuffer<Double>(repeating: 0, count: 3 * threads)
        let clock = ContinuousClock()
        let t0 = clock.now
        let work: @Sendable (Int) -> Void = { t in
            var local = streams.split(t)
            let r = worker(chunks[t], &local)
            results[3 * t] = Double(r.pairs)
            results[3 * t + 1] = Double(r.scored)
            results[3 * t + 2] = r.lossSum
        }
        if threads == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
        let elapsed = clock.now - t0
        var stats = EpochStatistics()
        for t in 0..<threads {
            stats.pairs += Int(results[3 * t])
            stats.scored += Int(results[3 * t + 1])
            stats.lossSum += results[3 * t + 2]
        }
        stats.seconds = elapsed.seconds
        return stats
    }

    /// One thread's share of an epoch. No allocation per pair: the scratch rows are allocated once.
    static func worker<O: PairObjective>(
        _ objective: O, tables: EmbeddingTables, source: PairSource, selection: PairSelection,
        optimizer: SampledOptimizer, tasks: [PairTask], epochIndex: Int, stop: StopToken = StopToken(),
        _ rng: inout SeededGenerator
    ) -> (pairs: Int, scored: Int, lossSum: Double) {
        let d = tables.dimension
        var kernel = objective.makeKernel()
        let targets = UnsafeMutablePointer<Int32>.allocate(capacity: objective.maxTargets)
        let z = UnsafeMutablePointer<Double>.allocate(capacity: objective.maxTargets)
        let gv = UnsafeMutablePointer<Double>.allocate(capacity: d)
        defer { targets.deallocate(); z.deallocate(); gv.deallocate() }
        let input = tables.input.pointer, output = tables.output.pointer
        let bias: UnsafeMutablePointer<Double>? = objective.usesBias ? tables.bias!.pointer : nil

        var adam: RowAdam?
        if case let .adam(_, b1, b2, eps) = optimizer { adam = RowAdam(beta1: b1, beta2: b2, epsilon: eps) }
        let total = max(1, tasks.reduce(0) { $0 + $1.count })
        var done = 0, scored = 0
        var lossSum = 0.0
        var rate = optimizer.rate(progress: Double(epochIndex))
        // A stop request (signal, deadline) is polled every 1024 examples: the rest of the
        // epoch is skipped and the epoch is marked unfinished.
        var stopping = false, skipped = false

        for task in tasks {
            if stopping { skipped = true; break }
            source.forEachPair(task, selection: selection, &rng) { i, j, rng in
                if stopping { skipped = true; return }
                let n = kernel.prepare(center: i, positive: j, targets: targets, &rng)
                let vi = input + i &* d
                let biasIn = bias.map { UnsafePointer($0) }
                if adam != nil {
                    lossSum += scoreAndGradient(&kernel, vi: vi, output: output, bias: biasIn, targets: targets, count: n,
                                                z: z, gv: gv, dimension: d)
                } else {
                    lossSum += score(&kernel, vi: vi, output: output, bias: biasIn, targets: targets, count: n, z: z, dimension: d)
                }
                if let adam {
                    let (im, iv, om, ov) = (tables.inputM!.pointer, tables.inputV!.pointer, tables.outputM!.pointer, tables.outputV!.pointer)
                    let (isteps, osteps) = (tables.inputSteps!.pointer, tables.outputSteps!.pointer)
                    for c in 0..<n where z[c] != 0 {
                        let t = Int(targets[c]), off = t &* d
                        osteps[t] &+= 1
                        let step = osteps[t]
                        adam.update(output + off, m: om + off, v: ov + off, grad: vi, scale: z[c], count: d, rate: rate, step: step)
                        if let bias {
                            var one = 1.0
                            adam.update(bias + t, m: tables.biasM!.pointer + t, v: tables.biasV!.pointer + t,
                                        grad: &one, scale: z[c], count: 1, rate: rate, step: step)
                        }
                    }
                    let off = i &* d
                    isteps[i] &+= 1
                    adam.update(input + off, m: im + off, v: iv + off, grad: gv, scale: 1, count: d, rate: rate, step: isteps[i])
                } else {
                    // word2vec's fused pass: each output row is read once, its old value feeding
                    // g_v and the update using v_i before v_i's own update. A target drawn twice
                    // sees its first update on the second visit (as in word2vec).
                    gv.update(repeating: 0, count: d)
                    for c in 0..<n where z[c] != 0 {
                        let t = Int(targets[c])
                        RowKernels.accumulateAndUpdate(z[c], -rate * z[c], u: output + t &* d, v: vi, gv: gv, d)
                        if let bias { bias[t] -= rate * z[c] }
                    }
                    RowKernels.axpy(-rate, gv, input + i &* d, d)
                }
                scored &+= n
                done &+= 1
                if done & 1023 == 0 {
                    rate = optimizer.rate(progress: Double(epochIndex) + Double(done) / Double(total))
                    stopping = stop.isStopRequested
                }
            }
        }
        if skipped { stop.noteAbandonedIteration() }
        return (done, scored, lossSum)
    }
}
