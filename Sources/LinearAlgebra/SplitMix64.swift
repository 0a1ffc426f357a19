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
}
