#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Level-1 kernels on contiguous Float64 rows for the sampled methods' inner loops.
///
/// Hand-written instead of calling BLAS: at D ≈ 100–300 the call overhead of `cblas_ddot` is
/// comparable to the work, and OpenBLAS may decide to thread. The dot product keeps eight
/// independent partial sums (two SIMD4 lanes) so it vectorises without asking the compiler to
/// reassociate; the summation order is fixed, so results are reproducible.
enum RowKernels {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        var k = 0
        while k + 8 <= n {
            let o = k &* 8
            s0 += ra.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            s1 += ra.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD4<Double>.self)
            k &+= 8
        }
        var total = (s0 + s1).sum()
        while k < n { total += a[k] * b[k]; k &+= 1 }
        return total
    }

    /// y ← y + α·x
    @inline(__always)
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let a = SIMD4<Double>(repeating: alpha)
        var k = 0
        while k + 4 <= n {
            let o = k &* 8
            let yk = ry.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            ry.storeBytes(of: yk + a * rx.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self), toByteOffset: o, as: SIMD4<Double>.self)
            k &+= 4
        }
        while k < n { y[k] += alpha * x[k]; k &+= 1 }
    }

    /// The fused SGD pass over one target row u of an example with centre row v (word2vec's
    /// inner loop): g_v ← g_v + g·u, then u ← u + step·v, reading u once.
    @inline(__always)
    static func accumulateAndUpdate(_ g: Double, _ step: Double, u: UnsafeMutablePointer<Double>, v: UnsafePointer<Double>,
                                    gv: UnsafeMutablePointer<Double>, _ n: Int) {
        let ru = UnsafeMutableRawPointer(u), rv = UnsafeRawPointer(v), rg = UnsafeMutableRawPointer(gv)
        let gs = SIMD4<Double>(repeating: g), ss = SIMD4<Double>(repeating: step)
        var k = 0
        while k + 4 <= n {
            let o = k &* 8
            let uk = ru.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            let gk = rg.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            rg.storeBytes(of: gk + gs * uk, toByteOffset: o, as: SIMD4<Double>.self)
            ru.storeBytes(of: uk + ss * rv.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self), toByteOffset: o, as: SIMD4<Double>.self)
            k &+= 4
        }
        while k < n { let uk = u[k]; gv[k] += g * uk; u[k] = uk + step * v[k]; k &+= 1 }
    }

    /// log σ(x), accurate for large |x|.
    @inline(__always)
    static func logSigmoid(_ x: Double) -> Double {
        x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x))
    }

    /// σ(x) = 1 / (1 + e^(−x)), exact (no lookup table).
    @inline(__always)
    static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// Uniform integer in 0..<n (Lemire's multiply-high; bias below n / 2⁶⁴, negligible).
    @inline(__always)
    static func uniformInt(_ n: Int, _ rng: inout SeededGenerator) -> Int {
        Int(truncatingIfNeeded: rng.next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Fisher–Yates shuffle driven by the seeded generator (platform-independent, unlike
    /// `shuffle(using:)` whose algorithm is not specified).
    static func shuffle<T>(_ a: inout [T], _ rng: inout SeededGenerator) {
        if a.count < 2 { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = uniformInt(i + 1, &rng)
            if i != j { a.swapAt(i, j) }
        }
    }

    /// log(Σ exp(z_c)) − z_0 and the coefficients softmax(z) − e₀ written over `z` (the loss of a
    /// softmax cross-entropy with the true class at index 0).
    @inline(__always)
    static func softmaxCrossEntropy(_ z: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
        var mx = z[0]
        for c in 1..<max(1, n) where z[c] > mx { mx = z[c] }
        let trueShifted = z[0] - mx
        var sum = 0.0
        for c in 0..<n { let e = exp(z[c] - mx); z[c] = e; sum += e }
        let inv = 1 / sum
        for c in 0..<n { z[c] *= inv }
        z[0] -= 1
        return log(sum) - trueShifted
    }
}
