#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Dispatch
import LinearAlgebra

/// SGNS with negatives shared across the contexts of one target (Ji et al. 2016, "Parallelizing
/// Word2Vec in Shared and Distributed Memory"; BlazingText's batched skip-gram).
///
/// A user's liked set is one window. For a target item j of the set, the contexts are the other
/// liked items c (the pairs (c, j) of the per-pair mode, c's input row v_c predicting j's output
/// row u_j). Instead of drawing K negatives per pair, K are drawn once per batch of up to B
/// contexts and shared by all of them, so the batch is three small matrix products against
/// 1 + K output rows that stay in cache:
///
///     Z = V_b·Oᵀ (B × (1+K)),  G = ∂ℓ/∂Z,  ∂/∂O = Gᵀ·V_b,  ∂/∂V_b = G·O
///
/// where V_b holds the contexts' input rows and O = [u_j; u_{n_1}; …; u_{n_K}]. The loss of the
/// batch is the sum of the per-pair losses −log σ(u_jᵀv_c) − Σ_k log σ(−u_{n_k}ᵀv_c); its gradient
/// is taken at the batch's starting point and applied at the end (a mini-batch of B pairs on the
/// output rows; every context row appears once per batch, so the input side is plain SGD).
/// Positive pairs per epoch are the same as in the per-pair mode.
enum SharedNegatives {
    /// One batch on contiguous rows: `inputs` (b × d, the contexts' input rows), `outputs`
    /// (t × d: the target's output row, then the negatives'). Returns the batch's loss (sum over
    /// contexts), writes ∂loss/∂outputs into `outputGrad` (t × d) and replaces `inputs` by
    /// inputs − rate·∂loss/∂inputs. Row `skip` of `inputs` (if in 0..<b) is not a context: it
    /// takes no part in the loss and is left unchanged (the target's own row when the contexts
    /// are read in place from a copy of the whole set). `z` is b × t scratch (holds the
    /// coefficients G afterwards).
    static func step(inputs: UnsafeMutablePointer<Double>, contexts b: Int, skip: Int = -1, outputs: UnsafePointer<Double>,
                     targets t: Int, z: UnsafeMutablePointer<Double>, outputGrad: UnsafeMutablePointer<Double>,
                     rate: Double, dimension d: Int) -> Double {
        BLAS.gemm(rowMajor: .none, .transpose, m: b, n: t, k: d, alpha: 1, inputs, lda: d, outputs, ldb: d,
                  beta: 0, z, ldc: t)
        let loss: Double
        if skip >= 0 && skip < b {
            loss = coefficients(z, rows: skip, columns: t)
                + coefficients(z + (skip + 1) &* t, rows: b - skip - 1, columns: t)
            (z + skip &* t).update(repeating: 0, count: t)
        } else {
            loss = coefficients(z, rows: b, columns: t)
        }
        BLAS.gemm(rowMajor: .transpose, .none, m: t, n: d, k: b, alpha: 1, z, lda: t, inputs, ldb: d,
                  beta: 0, outputGrad, ldc: d)
        if rate != 0 {
            BLAS.gemm(rowMajor: .none, .none, m: b, n: d, k: t, alpha: -rate, z, lda: t, outputs, ldb: d,
                      beta: 1, inputs, ldc: d)
        }
        return loss
    }

    /// Turns each row of scores (positive first) into ∂ℓ/∂s: σ(s₀) − 1 and σ(s_k), and returns
    /// Σ_rows ℓ. One `exp` per score and one `log` per row: the row's loss is −log of the product
    /// of its σ terms, each taken from the same `exp` (renormalised so the product cannot underflow;
    /// scores below −30 take the exact log σ).
    @inline(__always)
    static func coefficients(_ z: UnsafeMutablePointer<Double>, rows b: Int, columns t: Int) -> Double {
        var total = 0.0
        for r in 0..<b {
            let zr = z + r &* t
            var p = 1.0, logs = 0.0
            for c in 0..<t {
                // x: the argument whose σ enters the likelihood (s₀ for the positive, −s_k else).
                let x = c == 0 ? zr[0] : -zr[c]
                let e = exp(-abs(x))
                let big = 1 / (1 + e), small = e * big
                let sx = x >= 0 ? big : small, smx = x >= 0 ? small : big
                if x >= -30 { p *= sx } else { logs += RowKernels.logSigmoid(x) }
                if p < 1e-200 { logs += log(p); p = 1 }
                zr[c] = c == 0 ? -smx : smx
            }
            total -= log(p) + logs
        }
        return total
    }

    /// Largest batch accepted. Batches up to 128 at D = 300 and K = 5 keep every product
    /// (B·(1+K)·D ≤ 230 400) below OpenBLAS's default threading threshold, so each worker's BLAS
    /// calls stay on its own thread; larger ones are correct but may make OpenBLAS start threads.
    static let maxBatch = 1024

    /// One epoch over the plan's tasks with `threads` Hogwild workers.
    static func epoch(noise: AliasTable, negatives: Int, batch: Int, tables: EmbeddingTables, source: PairSource,
                      selection: PairSelection, optimizer: SampledOptimizer, threads: Int, epochIndex: Int,
                      stop: StopToken = StopToken(), _ rng: inout SeededGenerator) -> EpochStatistics {
        PairTrainer.runEpoch(source: source, selection: selection, threads: threads, &rng) { tasks, local in
            worker(noise: noise, negatives: negatives, batch: batch, tables: tables, source: source,
                   selection: selection, optimizer: optimizer, tasks: tasks, epochIndex: epochIndex, stop: stop, &local)
        }
    }

    /// Targets between two hand-overs of a user's input rows to the shared table (`all`).
    static let flushEvery = 8

    /// One thread's share of an epoch (SGD only). Batches:
    /// - `all`: every item j of the set in row order is a target once; the set's rows, in row
    ///   order, are split into ⌈n/B⌉ near-equal blocks, and each block minus j is one batch of
    ///   contexts with fresh negatives. Every ordered pair once, as in the per-pair mode. The
    ///   set's input rows are copied once per user and updated in the copy (contiguous, so BLAS
    ///   reads them in place); the changes are added to the shared table every `flushEvery`
    ///   targets and at the end of the user, so another thread sees them with that delay.
    /// - `sampled`: the user's pair budget is spent in batches of min(B, budget left, n − 1)
    ///   pairs sharing a uniformly drawn target, the contexts drawn uniformly without
    ///   replacement among the others; every ordered pair keeps the same chance per draw.
    static func worker(noise: AliasTable, negatives: Int, batch: Int, tables: EmbeddingTables, source: PairSource,
                       selection: PairSelection, optimizer: SampledOptimizer, tasks: [PairTask], epochIndex: Int,
                       stop: StopToken = StopToken(),
                       _ rng: inout SeededGenerator) -> (pairs: Int, scored: Int, lossSum: Double) {
        let d = tables.dimension, maxT = negatives + 1
        let contexts = UnsafeMutablePointer<Double>.allocate(capacity: batch * d)
        let outputs = UnsafeMutablePointer<Double>.allocate(capacity: maxT * d)
        let outputGrad = UnsafeMutablePointer<Double>.allocate(capacity: maxT * d)
        let z = UnsafeMutablePointer<Double>.allocate(capacity: batch * maxT)
        let targets = UnsafeMutablePointer<Int32>.allocate(capacity: maxT)
        let items = UnsafeMutablePointer<Int32>.allocate(capacity: batch)
        defer {
            contexts.deallocate(); outputs.deallocate(); outputGrad.deallocate(); z.deallocate()
            targets.deallocate(); items.deallocate()
        }
        var others: [Int] = []
        // `all`: the user's input rows, copied once per user (`local`, updated in place) with the
        // values they were copied from (`base`); see `flush`.
        var capacity = 0
        var local = UnsafeMutablePointer<Double>.allocate(capacity: 1), base = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        defer { local.deallocate(); base.deallocate() }
        let input = tables.input.pointer, output = tables.output.pointer
        let total = max(1, tasks.reduce(0) { $0 + $1.count })
        var done = 0, scored = 0
        var lossSum = 0.0
        var rate = optimizer.rate(progress: Double(epochIndex))
        // Stop requests are polled every 1024 contexts; the rest of the epoch is then skipped.
        var stopping = false, skipped = false

        /// Draws the negatives of target j into `targets` and their output rows into `outputs`;
        /// returns 1 + the number of negatives (draws equal to j are skipped, as in word2vec).
        func prepare(target j: Int, _ rng: inout SeededGenerator) -> Int {
            targets[0] = Int32(truncatingIfNeeded: j)
            let t = 1 + noise.drawNegatives(negatives, excluding: j, into: targets + 1, &rng)
            for o in 0..<t { (outputs + o &* d).update(from: output + Int(targets[o]) &* d, count: d) }
            return t
        }

        /// One batch of `b` contexts at `rows` (`skip` as in `step`), then the output rows' update
        /// and the bookkeeping.
        func run(rows: UnsafeMutablePointer<Double>, count n: Int, skip: Int, contexts b: Int, targets t: Int) {
            lossSum += step(inputs: rows, contexts: n, skip: skip, outputs: outputs, targets: t, z: z,
                            outputGrad: outputGrad, rate: rate, dimension: d)
            for o in 0..<t { RowKernels.axpy(-rate, outputGrad + o &* d, output + Int(targets[o]) &* d, d) }
            scored &+= b &* t
            let before = done
            done &+= b
            if before >> 10 != done >> 10 {
                rate = optimizer.rate(progress: Double(epochIndex) + Double(done) / Double(total))
                stopping = stop.isStopRequested
            }
        }

        /// Hands the local copy's changes to the shared table (adding them, so concurrent
        /// updates by other threads survive) and re-reads the rows.
        func flush(_ row: UnsafePointer<Int32>, _ n: Int) {
            for r in 0..<n {
                let v = input + Int(row[r]) &* d, l = local + r &* d, o = base + r &* d
                for k in 0..<d { v[k] += l[k] - o[k] }
                l.update(from: v, count: d)
                o.update(from: v, count: d)
            }
        }

        for task in tasks {
            if stopping { skipped = true; break }
            let u = Int(task.user)
            let start = source.rowPointers.pointer[u], n = source.rowPointers.pointer[u + 1] - start
            let row = source.likes.pointer + start
            if n < 2 { continue }
            switch selection {
            case .all:
                // Contexts are read in place from the local copy of the set: row block [lo, hi)
                // with the target's own row masked out. Blocks of at most B rows.
                if n * d > capacity {
                    capacity = n * d
                    local.deallocate(); base.deallocate()
                    local = .allocate(capacity: capacity); base = .allocate(capacity: capacity)
                }
                for r in 0..<n {
                    (local + r &* d).update(from: input + Int(row[r]) &* d, count: d)
                    (base + r &* d).update(from: local + r &* d, count: d)
                }
                let parts = (n + batch - 1) / batch
                for a in 0..<n {
                    if stopping { skipped = true; flush(row, n); break }
                    for p in 0..<parts {
                        let lo = (n * p) / parts, hi = (n * (p + 1)) / parts
                        let own = lo <= a && a < hi
                        let b = hi - lo - (own ? 1 : 0)
                        if b == 0 { continue }
                        let t = prepare(target: Int(row[a]), &rng)
                        run(rows: local + lo &* d, count: hi - lo, skip: own ? a - lo : -1, contexts: b, targets: t)
                    }
                    if a % flushEvery == flushEvery - 1 || a == n - 1 { flush(row, n) }
                }
            case .sampled:
                // A permutation of the "other" positions 0..<n−1 (k ↦ k < a ? k : k + 1); a
                // partial Fisher–Yates pass over any permutation selects a uniform subset.
                others.removeAll(keepingCapacity: true)
                others.append(contentsOf: 0..<(n - 1))
                var left = task.count
                while left > 0 {
                    if stopping { skipped = true; break }
                    let a = RowKernels.uniformInt(n, &rng)
                    let b = min(batch, left, n - 1)
                    for r in 0..<b {
                        let s = r + RowKernels.uniformInt(n - 1 - r, &rng)
                        others.swapAt(r, s)
                        let k = others[r]
                        items[r] = row[k < a ? k : k + 1]
                    }
                    let t = prepare(target: Int(row[a]), &rng)
                    for r in 0..<b { (contexts + r &* d).update(from: input + Int(items[r]) &* d, count: d) }
                    run(rows: contexts, count: b, skip: -1, contexts: b, targets: t)
                    for r in 0..<b { (input + Int(items[r]) &* d).update(from: contexts + r &* d, count: d) }
                    left -= b
                }
            }
        }
        if skipped { stop.noteAbandonedIteration() }
        return (done, scored, lossSum)
    }
}
