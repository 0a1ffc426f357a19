#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import LinearAlgebra

/// How the sampled methods update the rows an example touches.
public enum SampledOptimizer: Sendable, Equatable {
    /// Plain SGD with word2vec's schedule: the rate falls linearly from `learningRate` to
    /// `learningRate · 10⁻⁴` over `plannedEpochs` epochs and stays there. The driver's iteration
    /// limit is not visible to a method, so the horizon is given here; run the driver for the same
    /// number of iterations for word2vec's behaviour.
    case sgd(learningRate: Double = 0.025, plannedEpochs: Int = 10)
    /// Lazy Adam per row: a row's moments and its bias-correction step count change only when an
    /// example touches the row (TensorFlow's LazyAdam, with the step counted per row so a rare
    /// item's first updates get the full bias correction). The constant rate suits training for
    /// an unknown number of epochs.
    case adam(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8)

    public static let `default` = SampledOptimizer.sgd()

    func validate() throws {
        switch self {
        case let .sgd(lr, epochs):
            guard lr > 0, lr.isFinite, epochs >= 1 else {
                throw ProblemError.invalidOption("sgd needs learningRate > 0 and plannedEpochs ≥ 1")
            }
        case let .adam(lr, b1, b2, eps):
            guard lr > 0, lr.isFinite, (0..<1).contains(b1), (0..<1).contains(b2), eps > 0 else {
                throw ProblemError.invalidOption("adam needs learningRate > 0, 0 ≤ β1, β2 < 1 and ε > 0")
            }
        }
    }

    var isAdam: Bool { if case .adam = self { return true } else { return false } }

    /// word2vec's rate at `progress` (epochs done, fractional); constant for Adam.
    func rate(progress: Double) -> Double {
        switch self {
        case let .sgd(lr, epochs): return lr * max(1e-4, 1 - progress / Double(epochs))
        case let .adam(lr, _, _, _): return lr
        }
    }
}

/// Starting tables, drawn from the run's seed.
public enum SampledInitialization: String, Sendable, CaseIterable {
    /// Input and output tables uniform in [−1, 1]: both towers start informative, which
    /// in-batch softmax with normalised vectors needs (a zero vector has no direction).
    case uniform
    /// word2vec: input uniform in [−0.5/D, 0.5/D], output zero. Small enough that early
    /// gradients are not dominated by random dot products.
    case word2vec
}

/// Which table becomes the embedding the driver reports.
public enum SampledOutput: String, Sendable, CaseIterable {
    /// The input ("word") vectors, word2vec's convention.
    case input
    /// (input + output) / 2, which often scores better on similarity (GloVe's w + w̃).
    case average
}

/// The trainable tables, item-major (row i = item i, D contiguous doubles), with the Adam moments
/// when Adam is used. Shared by the worker threads (see `SharedBuffer` on the Hogwild races).
final class EmbeddingTables: @unchecked Sendable {
    let items: Int
    let dimension: Int
    let input: SharedBuffer<Double>
    let output: SharedBuffer<Double>
    /// Output biases (sampled softmax), else nil.
    let bias: SharedBuffer<Double>?
    // Adam state: first and second moments of each table and per-row step counts.
    let inputM, inputV, outputM, outputV: SharedBuffer<Double>?
    let biasM, biasV: SharedBuffer<Double>?
    let inputSteps, outputSteps: SharedBuffer<Int>?

    init(items m: Int, dimension d: Int, initialization: SampledInitialization, bias: Bool, adam: Bool,
         _ rng: inout SeededGenerator) {
        items = m
        dimension = d
        input = SharedBuffer(repeating: 0, count: m * d)
        output = SharedBuffer(repeating: 0, count: m * d)
        switch initialization {
        case .uniform:
            for k in 0..<(m * d) { input[k] = 2 * rng.nextUniform() - 1 }
            for k in 0..<(m * d) { output[k] = 2 * rng.nextUniform() - 1 }
        case .word2vec:
            let half = 0.5 / Double(d)
            for k in 0..<(m * d) { input[k] = (2 * rng.nextUniform() - 1) * half }
        }
        self.bias = bias ? SharedBuffer(repeating: 0, count: m) : nil
        func zeros(_ n: Int) -> SharedBuffer<Double>? { adam ? SharedBuffer(repeating: 0, count: n) : nil }
        inputM = zeros(m * d); inputV = zeros(m * d); outputM = zeros(m * d); outputV = zeros(m * d)
        biasM = bias ? zeros(m) : nil; biasV = bias ? zeros(m) : nil
        inputSteps = adam ? SharedBuffer(repeating: 0, count: m) : nil
        outputSteps = adam ? SharedBuffer(repeating: 0, count: m) : nil
    }

    /// The reported embedding as a column-major M × D matrix.
    func embedding(_ which: SampledOutput) -> Matrix {
        var rows = input.array
        if which == .average {
            let o = output.pointer
            for k in 0..<rows.count { rows[k] = 0.5 * (rows[k] + o[k]) }
        }
        return Matrix(rows: items, columns: dimension, rowMajor: rows)
    }
}

/// Adam's update of one row with gradient `scale · grad`.
struct RowAdam {
    let beta1: Double, beta2: Double, epsilon: Double

    /// Bias corrections (1 − β1ᵗ, √(1 − β2ᵗ)); past t = 50 000 they equal 1 to double precision
    /// for the usual β, so `pow` is skipped.
    @inline(__always)
    func corrections(_ t: Int) -> (c1: Double, c2root: Double) {
        if t > 50_000 { return (1, 1) }
        return (1 - pow(beta1, Double(t)), (1 - pow(beta2, Double(t))).squareRoot())
    }

    @inline(__always)
    func update(_ w: UnsafeMutablePointer<Double>, m: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>,
                grad: UnsafePointer<Double>, scale: Double, count n: Int, rate: Double, step t: Int) {
        let (c1, c2root) = corrections(t)
        let a = rate * c2root / c1, eps = epsilon * c2root
        let b1 = beta1, b2 = beta2, o1 = 1 - beta1, o2 = 1 - beta2
        // SIMD4 body (sqrt and division vectorise), scalar tail; same arithmetic in both.
        let rw = UnsafeMutableRawPointer(w), rm = UnsafeMutableRawPointer(m), rv = UnsafeMutableRawPointer(v)
        let rg = UnsafeRawPointer(grad)
        let sc = SIMD4<Double>(repeating: scale), vb1 = SIMD4<Double>(repeating: b1), vb2 = SIMD4<Double>(repeating: b2)
        let vo1 = SIMD4<Double>(repeating: o1), vo2 = SIMD4<Double>(repeating: o2)
        let va = SIMD4<Double>(repeating: a), veps = SIMD4<Double>(repeating: eps)
        var k = 0
        while k + 4 <= n {
            let o = k &* 8
            let g = sc * rg.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            let mk = vb1 * rm.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self) + vo1 * g
            let vk = vb2 * rv.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self) + vo2 * g * g
            rm.storeBytes(of: mk, toByteOffset: o, as: SIMD4<Double>.self)
            rv.storeBytes(of: vk, toByteOffset: o, as: SIMD4<Double>.self)
            let wk = rw.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            rw.storeBytes(of: wk - va * mk / (vk.squareRoot() + veps), toByteOffset: o, as: SIMD4<Double>.self)
            k &+= 4
        }
        while k < n {
            let g = scale * grad[k]
            let mk = b1 * m[k] + o1 * g
            let vk = b2 * v[k] + o2 * g * g
            m[k] = mk; v[k] = vk
            w[k] -= a * mk / (vk.squareRoot() + eps)
            k &+= 1
        }
    }
}
