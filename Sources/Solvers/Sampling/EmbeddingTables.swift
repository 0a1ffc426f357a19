#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import LinearAlgebra

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
