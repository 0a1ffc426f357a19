/// Walker's alias method in Vose's numerically stable form: O(M) to build, O(1) per draw.
///
/// Used for SGNS's noise distribution (∝ count^α) and the unigram candidate sampler. Preferred to
/// word2vec's 10⁸-entry unigram table: exact probabilities, 12 bytes per item instead of 400 MB,
/// and the same constant cost per draw (one uniform integer, one uniform real).
public struct AliasTable: Sendable {
    /// The normalised probabilities the table draws from.
    public let probabilities: [Double]
    let threshold: SharedBuffer<Double>
    let alias: SharedBuffer<Int32>

    /// Number of outcomes (M).
    public let count: Int

    /// Builds the table for probabilities ∝ `weights` (non-negative, not all zero).
    public init(weights: [Double]) throws {
        let n = weights.count
        guard n > 0, n <= Int(Int32.max) else { throw ProblemError.invalidOption("alias table needs 1…2³¹−1 weights, got \(n)") }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw ProblemError.invalidOption("alias table weights must be finite and non-negative")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw ProblemError.invalidOption("alias table weights are all zero") }
        probabilities = weights.map { $0 / total }
        count = n
        var scaled = probabilities.map { $0 * Double(n) }
        var prob = [Double](repeating: 1, count: n)
        var alias = [Int32](repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { alias[i] = Int32(i); if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.last, let l = large.last {
            small.removeLast(); large.removeLast()
            prob[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] = (scaled[l] + scaled[s]) - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        // Whatever remains has scaled probability 1 up to rounding (Vose's stability argument).
        for l in large { prob[l] = 1 }
        for s in small { prob[s] = 1 }
        threshold = SharedBuffer(prob)
        self.alias = SharedBuffer(alias)
    }

    /// One draw.
    @inline(__always)
    public func sample(_ rng: inout SeededGenerator) -> Int {
        let k = RowKernels.uniformInt(count, &rng)
        return rng.nextUniform() < threshold.pointer[k] ? k : Int(alias.pointer[k])
    }
}
