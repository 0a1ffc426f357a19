/// The passes of `LBFGSHistory` over a Float32 pair buffer, accumulated in Float64: BLAS has no
/// mixed-precision gemv (sgemv would round g to Float32 and sum in Float32, and the history takes
/// differences of these products, w_lᵀg_new − w_lᵀg_old, which would cancel to noise).
/// Explicit SIMD vectors so that the widening and the sums vectorise without fast-math; each
/// function works on one piece of rows (`ParallelPasses`), partial sums in a fixed order.
enum SinglePrecisionPasses {
    /// Σ_{i ∈ r} w[i]·g[i] in Float64.
    @inline(__always)
    static func dot(_ w: UnsafePointer<Float>, _ g: UnsafePointer<Double>, _ r: Range<Int>) -> Double {
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>()
        var i = r.lowerBound
        while i + 8 <= r.upperBound {
            let wide = UnsafeRawPointer(w + i).loadUnaligned(as: SIMD8<Float>.self)
            a0 += SIMD4<Double>(wide.lowHalf) * UnsafeRawPointer(g + i).loadUnaligned(as: SIMD4<Double>.self)
            a1 += SIMD4<Double>(wide.highHalf) * UnsafeRawPointer(g + i + 4).loadUnaligned(as: SIMD4<Double>.self)
            i += 8
        }
        var sum = (a0 + a1).sum()
        while i < r.upperBound { sum += Double(w[i]) * g[i]; i += 1 }
        return sum
    }

    /// out[l] = Σ_{i ∈ r} w_l[i]·g[i] for the p columns w_l = columns + l·stride: per column exactly the
    /// sums of `dot` (the same two accumulators in the same order, so bitwise the same numbers),
    /// two columns per sweep so that each sweep has four independent accumulators and reads g once
    /// for two columns (`dot` alone waits on its two accumulators' latency).
    static func dots(_ w: UnsafePointer<Float>, columnCount p: Int, stride: Int, _ g: UnsafePointer<Double>, _ r: Range<Int>,
                     into out: UnsafeMutablePointer<Double>) {
        var l = 0
        while l + 2 <= p {
            let w0 = w + l * stride, w1 = w0 + stride
            var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), b0 = SIMD4<Double>(), b1 = SIMD4<Double>()
            var i = r.lowerBound
            while i + 8 <= r.upperBound {
                let g0 = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD4<Double>.self)
                let g1 = UnsafeRawPointer(g + i + 4).loadUnaligned(as: SIMD4<Double>.self)
                let x = UnsafeRawPointer(w0 + i).loadUnaligned(as: SIMD8<Float>.self)
                let y = UnsafeRawPointer(w1 + i).loadUnaligned(as: SIMD8<Float>.self)
                a0 += SIMD4<Double>(x.lowHalf) * g0
                a1 += SIMD4<Double>(x.highHalf) * g1
                b0 += SIMD4<Double>(y.lowHalf) * g0
                b1 += SIMD4<Double>(y.highHalf) * g1
                i += 8
            }
            var sumA = (a0 + a1).sum(), sumB = (b0 + b1).sum()
            while i < r.upperBound { sumA += Double(w0[i]) * g[i]; sumB += Double(w1[i]) * g[i]; i += 1 }
            out[l] = sumA
            out[l + 1] = sumB
            l += 2
        }
        if l < p { out[l] = dot(w + l * stride, g, r) }
    }

    /// d[i] = gradientFactor·p_(column of i)·g[i] − Σ_l c_l·w_l[i] for i in r (w_l = columns + l·stride;
    /// p = 1 without a scaling), returning Σ_{i ∈ r} g[i]·d[i] while the piece is in cache.
    static func direction(gradient g: UnsafePointer<Double>, gradientFactor: Double, scaling: [Double]?, columnLength: Int,
                          columns w: UnsafePointer<Float>, columnCount p: Int, stride: Int, coefficients c: UnsafePointer<Double>,
                          range r: Range<Int>, into d: UnsafeMutablePointer<Double>) -> Double {
        var slope = SIMD4<Double>()
        var tail = 0.0
        var i = r.lowerBound
        while i < r.upperBound {
            // One segment of the range within a single column of the M × D matrices (one p_j).
            let end: Int, f: Double
            if let scaling {
                let j = i / columnLength
                end = min(r.upperBound, (j + 1) * columnLength)
                f = gradientFactor * scaling[j]
            } else {
                end = r.upperBound
                f = gradientFactor
            }
            var k = i
            while k + 8 <= end {
                let g0 = UnsafeRawPointer(g + k).loadUnaligned(as: SIMD4<Double>.self)
                let g1 = UnsafeRawPointer(g + k + 4).loadUnaligned(as: SIMD4<Double>.self)
                var a0 = f * g0, a1 = f * g1
                for l in 0..<p {
                    let cl = c[l]
                    if cl == 0 { continue }
                    let wide = UnsafeRawPointer(w + l * stride + k).loadUnaligned(as: SIMD8<Float>.self)
                    a0 -= cl * SIMD4<Double>(wide.lowHalf)
                    a1 -= cl * SIMD4<Double>(wide.highHalf)
                }
                UnsafeMutableRawPointer(d + k).storeBytes(of: a0, as: SIMD4<Double>.self)
                UnsafeMutableRawPointer(d + k + 4).storeBytes(of: a1, as: SIMD4<Double>.self)
                slope += a0 * g0 + a1 * g1
                k += 8
            }
            while k < end {
                var x = f * g[k]
                for l in 0..<p where c[l] != 0 { x -= c[l] * Double(w[l * stride + k]) }
                d[k] = x
                tail += x * g[k]
                k += 1
            }
            i = end
        }
        return slope.sum() + tail
    }
}
