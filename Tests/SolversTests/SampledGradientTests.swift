import Testing
import Foundation
import LinearAlgebra
@testable import Solvers

/// One example's loss and gradients through `PairTrainer.scoreAndGradient`, on item-major
/// tables held in arrays: the code path the training loop uses.
func pairExample<K: PairKernel>(_ kernel: inout K, input: [Double], output: [Double], bias: [Double]?,
                                center: Int, targets: [Int32], d: Int)
    -> (loss: Double, input: [Double], output: [Double], bias: [Double]) {
    let n = targets.count
    var z = [Double](repeating: 0, count: n), gv = [Double](repeating: 0, count: d)
    let loss = input.withUnsafeBufferPointer { ip in output.withUnsafeBufferPointer { op in
        targets.withUnsafeBufferPointer { tp in z.withUnsafeMutableBufferPointer { zp in gv.withUnsafeMutableBufferPointer { gp in
            if let bias {
                return bias.withUnsafeBufferPointer { bp in
                    PairTrainer.scoreAndGradient(&kernel, vi: ip.baseAddress! + center * d, output: op.baseAddress!, bias: bp.baseAddress!,
                                                 targets: tp.baseAddress!, count: n, z: zp.baseAddress!, gv: gp.baseAddress!, dimension: d)
                }
            }
            return PairTrainer.scoreAndGradient(&kernel, vi: ip.baseAddress! + center * d, output: op.baseAddress!, bias: nil,
                                                targets: tp.baseAddress!, count: n, z: zp.baseAddress!, gv: gp.baseAddress!, dimension: d)
        }}}
    }}
    var gIn = [Double](repeating: 0, count: input.count)
    for k in 0..<d { gIn[center * d + k] = gv[k] }
    var gOut = [Double](repeating: 0, count: output.count)
    var gBias = [Double](repeating: 0, count: output.count / d)
    for c in 0..<n {
        let t = Int(targets[c])
        for k in 0..<d { gOut[t * d + k] += z[c] * input[center * d + k] }
        gBias[t] += z[c]
    }
    return (loss, gIn, gOut, gBias)
}

func randomArray(_ n: Int, scale: Double, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<n).map { _ in scale * rng.nextGaussian() }
}

/// Max |analytic − central difference| over all entries, relative to max |analytic|.
func finiteDifferenceError(_ x: [Double], analytic: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> Double {
    var worst = 0.0
    var y = x
    for k in 0..<x.count {
        y[k] = x[k] + h; let fp = f(y)
        y[k] = x[k] - h; let fm = f(y)
        y[k] = x[k]
        worst = max(worst, abs((fp - fm) / (2 * h) - analytic[k]))
    }
    return worst / max(analytic.map(abs).max() ?? 0, 1e-300)
}

@Suite struct SampledGradientTests {
    static let (m, d) = (6, 4)

    @Test func sgnsLossAndGradientMatchDefinitionAndFiniteDifferences() throws {
        let (m, d) = (Self.m, Self.d)
        let input = randomArray(m * d, scale: 0.7, seed: 1), output = randomArray(m * d, scale: 0.7, seed: 2)
        var kernel = SGNSKernel(noise: try AliasTable(weights: [1, 1, 1, 1, 1, 1]), negatives: 3)
        let center = 2, targets: [Int32] = [5, 0, 3, 0] // positive 5; negatives 0, 3, 0 (a repeat)
        let r = pairExample(&kernel, input: input, output: output, bias: nil, center: center, targets: targets, d: d)
        func score(_ i: [Double], _ o: [Double], _ t: Int) -> Double { (0..<d).reduce(0) { $0 + i[center * d + $1] * o[t * d + $1] } }
        let direct = -log(1 / (1 + exp(-score(input, output, 5))))
            - [0, 3, 0].reduce(0.0) { $0 + log(1 / (1 + exp(score(input, output, $1)))) }
        #expect(abs(r.loss - direct) < 1e-13)
        let fIn = { (x: [Double]) in pairExample(&kernel, input: x, output: output, bias: nil, center: center, targets: targets, d: d).loss }
        let fOut = { (x: [Double]) in pairExample(&kernel, input: input, output: x, bias: nil, center: center, targets: targets, d: d).loss }
        #expect(finiteDifferenceError(input, analytic: r.input, fIn) < 1e-7)
        #expect(finiteDifferenceError(output, analytic: r.output, fOut) < 1e-7)
    }

    @Test func sgnsKernelDrawsKNegativesAndSkipsThePositive() throws {
        var kernel = SGNSKernel(noise: try AliasTable(weights: [0, 1, 0, 0]), negatives: 5) // always draws item 1
        var rng = SeededGenerator(seed: 3)
        var targets = [Int32](repeating: -1, count: 6)
        #expect(kernel.prepare(center: 0, positive: 1, targets: &targets, &rng) == 1)
        #expect(kernel.prepare(center: 0, positive: 2, targets: &targets, &rng) == 6)
        #expect(targets == [2, 1, 1, 1, 1, 1])
    }

    @Test(arguments: [true, false])
    func sampledSoftmaxLossAndGradientMatchDefinitionAndFiniteDifferences(unique: Bool) throws {
        let (m, d) = (Self.m, Self.d)
        let input = randomArray(m * d, scale: 0.7, seed: 4), output = randomArray(m * d, scale: 0.7, seed: 5)
        let bias = randomArray(m, scale: 0.3, seed: 6)
        let sampler = try CandidateSampler(.logUniform, counts: [5, 9, 1, 3, 7, 2])
        let kernel = SampledSoftmaxKernel(sampler: sampler, candidates: 3, unique: unique)
        let center = 1, targets: [Int32] = [4, 0, 2, 5], tries = 7
        for c in 0..<4 { kernel.logQ[c] = sampler.logExpectedCount(of: Int(targets[c]), tries: tries, unique: unique) }
        var k = kernel
        let r = pairExample(&k, input: input, output: output, bias: bias, center: center, targets: targets, d: d)
        // Direct: logits v·u + b − log E[count], cross-entropy with the first as the class.
        let logits = targets.map { t -> Double in
            let t = Int(t)
            let s = (0..<d).reduce(0.0) { $0 + input[center * d + $1] * output[t * d + $1] } + bias[t]
            return s - log(sampler.expectedCount(of: t, tries: tries, unique: unique))
        }
        let direct = log(logits.map(exp).reduce(0, +)) - logits[0]
        #expect(abs(r.loss - direct) < 1e-12)
        let fIn = { (x: [Double]) in pairExample(&k, input: x, output: output, bias: bias, center: center, targets: targets, d: d).loss }
        let fOut = { (x: [Double]) in pairExample(&k, input: input, output: x, bias: bias, center: center, targets: targets, d: d).loss }
        let fBias = { (x: [Double]) in pairExample(&k, input: input, output: output, bias: x, center: center, targets: targets, d: d).loss }
        #expect(finiteDifferenceError(input, analytic: r.input, fIn) < 1e-7)
        #expect(finiteDifferenceError(output, analytic: r.output, fOut) < 1e-7)
        #expect(finiteDifferenceError(bias, analytic: r.bias, fBias) < 1e-7)
    }

    @Test func sampledSoftmaxDropsAccidentalHitsAndCorrectsWithExpectedCounts() throws {
        // Uniform over 4 items, 3 distinct candidates: the positive is drawn in 3/4 of examples.
        let sampler = try CandidateSampler(.uniform, counts: [1, 1, 1, 1])
        let kernel = SampledSoftmaxKernel(sampler: sampler, candidates: 3, unique: true)
        var rng = SeededGenerator(seed: 12)
        var targets = [Int32](repeating: -1, count: 4)
        var hits = 0
        for _ in 0..<200 {
            let n = kernel.prepare(center: 0, positive: 2, targets: &targets, &rng)
            #expect(targets[0] == 2)
            #expect(!targets[1..<n].contains(2))
            #expect(Set(targets[1..<n]).count == n - 1)
            if n == 3 { hits += 1 }
            for c in 0..<n {
                #expect(abs(kernel.logQ[c] - log(1 - pow(0.75, Double(kernel.tries)))) < 1e-12)
            }
        }
        #expect(hits > 100 && hits < 200)
    }

    /// The in-batch loss computed directly from its definition (no normalisation).
    static func inBatchDirect(q: [Double], k: [Double], items: [Int32], logQ: [Double], b: Int, d: Int, tau: Double,
                              normalize: Bool, shifts: Int?) -> Double {
        func vec(_ a: [Double], _ r: Int) -> [Double] {
            let v = Array(a[(r * d)..<((r + 1) * d)])
            guard normalize else { return v }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / n }
        }
        var total = 0.0
        for r in 0..<b {
            let cols = shifts.map { s in (0...s).map { (r + $0) % b } } ?? Array(0..<b)
            var logits: [Double] = []
            var positive = 0.0
            for c in cols {
                let z = zip(vec(q, r), vec(k, c)).reduce(0) { $0 + $1.0 * $1.1 } / tau - logQ[c]
                if c == r { positive = z } else if items[c] == items[r] { continue }
                logits.append(z)
            }
            total += log(logits.map(exp).reduce(0, +)) - positive
        }
        return total / Double(b)
    }

    @Test(arguments: [(InBatchNegatives.Negatives.full, false), (.full, true), (.shifted(2), false), (.shifted(3), true)])
    func inBatchLossAndGradientMatchDefinitionAndFiniteDifferences(negatives: InBatchNegatives.Negatives, normalize: Bool) {
        let (b, d, tau) = (5, 3, 0.7)
        let kernel = InBatchKernel(dimension: d, capacity: b, items: 10)
        kernel.keyItems = [3, 7, 3, 1, 9]  // item 3 twice: masked as each other's negative
        kernel.logQ = [-1.2, -0.3, -1.2, -2.0, -0.7]
        let q0 = randomArray(b * d, scale: 0.8, seed: 21), k0 = randomArray(b * d, scale: 0.8, seed: 22)
        func run(_ q: [Double], _ k: [Double]) -> (Double, [Double], [Double]) {
            kernel.q = Matrix(rows: d, columns: b, columnMajor: q)
            kernel.k = Matrix(rows: d, columns: b, columnMajor: k)
            let l = kernel.lossAndGradient(count: b, negatives: negatives, temperature: tau, normalize: normalize)
            return (l, kernel.dq.storage, kernel.dk.storage)
        }
        let (loss, dq, dk) = run(q0, k0)
        var shifts: Int?
        if case let .shifted(s) = negatives { shifts = s }
        let direct = Self.inBatchDirect(q: q0, k: k0, items: kernel.keyItems, logQ: kernel.logQ, b: b, d: d, tau: tau,
                                        normalize: normalize, shifts: shifts)
        #expect(abs(loss - direct) < 1e-12 * max(1, abs(direct)))
        #expect(finiteDifferenceError(q0, analytic: dq, { run($0, k0).0 }) < 1e-6)
        #expect(finiteDifferenceError(k0, analytic: dk, { run(q0, $0).0 }) < 1e-6)
    }
}

/// SGNS's loss with fixed negatives, so a training step can be replayed by hand.
struct FixedNegativesObjective: PairObjective {
    let negatives: [Int32]
    var maxTargets: Int { negatives.count + 1 }
    var usesBias: Bool { false }
    func makeKernel() -> FixedNegativesKernel { FixedNegativesKernel(negatives: negatives) }
}

struct FixedNegativesKernel: PairKernel {
    let negatives: [Int32]
    var inner = SGNSKernel(noise: try! AliasTable(weights: [1]), negatives: 1)
    init(negatives: [Int32]) { self.negatives = negatives }
    mutating func prepare(center: Int, positive: Int, targets: UnsafeMutablePointer<Int32>, _ rng: inout SeededGenerator) -> Int {
        targets[0] = Int32(positive)
        for (k, n) in negatives.enumerated() { targets[k + 1] = n }
        return negatives.count + 1
    }
    mutating func lossAndCoefficients(_ z: UnsafeMutablePointer<Double>, _ n: Int) -> Double { inner.lossAndCoefficients(z, n) }
}

@Suite struct SampledUpdateTests {
    /// One example through the training loop equals parameters − rate · gradient (SGD) for
    /// distinct targets.
    @Test func sgdStepOfTheTrainingLoopIsMinusRateTimesGradient() throws {
        let (m, d) = (5, 7) // d not a multiple of 4: exercises the scalar tails
        let s = try SparseMatrix(rows: 1, columns: m, triplets: [(0, 1, 1), (0, 3, 1)])
        let source = try PairSource(s)
        var rng = SeededGenerator(seed: 4)
        let tables = EmbeddingTables(items: m, dimension: d, initialization: .uniform, bias: false, adam: false, &rng)
        let input0 = tables.input.array, output0 = tables.output.array
        let optimizer = SampledOptimizer.sgd(learningRate: 0.3, plannedEpochs: 4)
        let objective = FixedNegativesObjective(negatives: [0, 4])
        var workerRng = SeededGenerator(seed: 9)
        let result = PairTrainer.worker(objective, tables: tables, source: source, selection: .sampled(perLike: 0.5),
                                        optimizer: optimizer, tasks: [PairTask(user: 0, count: 1)], epochIndex: 1, &workerRng)
        #expect(result.pairs == 1 && result.scored == 3)
        // Which pair was drawn: the centre is the input row that changed.
        let center = (0..<m).first { i in (0..<d).contains { tables.input[i * d + $0] != input0[i * d + $0] } }!
        let positive = center == 1 ? 3 : 1
        var kernel = FixedNegativesKernel(negatives: [0, 4])
        let g = pairExample(&kernel, input: input0, output: output0, bias: nil, center: center,
                            targets: [Int32(positive), 0, 4], d: d)
        #expect(abs(result.lossSum - g.loss) < 1e-15)
        let rate = optimizer.rate(progress: 1) // 0.3 · (1 − 1/4)
        #expect(abs(rate - 0.225) < 1e-15)
        for k in 0..<(m * d) {
            #expect(abs(tables.input[k] - (input0[k] - rate * g.input[k])) < 1e-14)
            #expect(abs(tables.output[k] - (output0[k] - rate * g.output[k])) < 1e-14)
        }
    }

    @Test func adamRowUpdateMatchesTheTextbookFormula() {
        let adam = RowAdam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        let n = 7
        var w = randomArray(n, scale: 1, seed: 1), m = [Double](repeating: 0, count: n), v = m
        let grads = [randomArray(n, scale: 1, seed: 2), randomArray(n, scale: 1, seed: 3)]
        var rw = w, rm = m, rv = v
        for (t, g) in grads.enumerated() {
            g.withUnsafeBufferPointer { gp in
                adam.update(&w, m: &m, v: &v, grad: gp.baseAddress!, scale: 2, count: n, rate: 0.01, step: t + 1)
            }
            for k in 0..<n {
                let gk = 2 * g[k]
                rm[k] = 0.9 * rm[k] + 0.1 * gk
                rv[k] = 0.999 * rv[k] + 0.001 * gk * gk
                let mh = rm[k] / (1 - pow(0.9, Double(t + 1))), vh = rv[k] / (1 - pow(0.999, Double(t + 1)))
                rw[k] -= 0.01 * mh / (vh.squareRoot() + 1e-8)
            }
        }
        for k in 0..<n { #expect(abs(w[k] - rw[k]) < 1e-14) }
    }
}
