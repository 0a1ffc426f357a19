/// Steele, Lea & Flood's SplitMix64: a tiny generator whose output is fixed by its definition,
/// so a split made from a seed today is the same split on any platform and Swift release
/// (`SystemRandomNumberGenerator` is unseedable, and the standard library's `random(in:using:)`
/// does not promise a stable mapping from generator output to values).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject: unbiased, and defined
    /// here rather than borrowed from the standard library so the sequence stays reproducible).
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// Uniform in [−1, 1) from 53 random bits: a symmetric distribution for matrix entries and
    /// start vectors.
    public mutating func nextSigned() -> Double {
        Double(next() >> 11) * 0x1.0p-52 - 1
    }

    /// Standard normal (Box–Muller), for test problems whose spectra should look "generic".
    public mutating func nextGaussian() -> Double {
        let u1 = (Double(next() >> 11) + 0.5) * 0x1.0p-53   // (0, 1), never 0
        let u2 = Double(next() >> 11) * 0x1.0p-53
        return (-2 * _splitMixLog(u1)).squareRoot() * _splitMixCos(2 * .pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _splitMixLog(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _splitMixCos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) private func _splitMixLog(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _splitMixCos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
