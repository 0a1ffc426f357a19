import LinearAlgebra

/// xoshiro256** seeded through SplitMix64: every random choice in a run flows from one seed, so
/// the same seed and inputs give the same bytes out on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var seeding = SplitMix64(seed: seed)
        s = (seeding.next(), seeding.next(), seeding.next(), seeding.next())
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = Self.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal by the Box–Muller transform (both values used).
    public mutating func nextGaussian() -> Double {
        if let g = spareGaussian { spareGaussian = nil; return g }
        var u1 = nextUniform()
        while u1 == 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        let r = (-2 * _log(u1)).squareRoot()
        spareGaussian = r * _sin(2 * .pi * u2)
        return r * _cos(2 * .pi * u2)
    }

    private var spareGaussian: Double?

    /// An independent stream for worker `index` (for multi-threaded methods).
    public func split(_ index: Int) -> SeededGenerator {
        SeededGenerator(seed: s.0 ^ (UInt64(index) &+ 1) &* 0xD1B5_4A32_D192_ED03)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif

// Checkpointing: the exact stream position (kept in this file: the state is private).
extension SeededGenerator {
    var checkpointState: (words: [UInt64], spareGaussian: Double?) { ([s.0, s.1, s.2, s.3], spareGaussian) }

    init(checkpointWords w: [UInt64], spareGaussian: Double?) {
        self.init(seed: 0)
        s = (w[0], w[1], w[2], w[3])
        self.spareGaussian = spareGaussian
    }
}
