#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Draws candidate items for sampled softmax and reports their expected counts, so the logits
/// can be corrected by log E[count] (Jean et al. 2015; TensorFlow's `sampled_softmax_loss`).
///
/// The per-item tables (log p, log(1 − p)) are precomputed, so the correction costs one
/// `expm1` and one `log` per candidate.
public struct CandidateSampler: Sendable {
    public let distribution: CandidateDistribution
    /// M.
    public let itemCount: Int
    /// p(item) for every item.
    public let probabilities: [Double]
    /// Items with p > 0 (the most distinct candidates a draw can produce).
    public let supportSize: Int
    let logP: SharedBuffer<Double>
    let log1mP: SharedBuffer<Double>
    /// Item at each popularity rank (log-uniform only).
    let rankToItem: SharedBuffer<Int32>
    let alias: AliasTable?
    let logMPlus1: Double

    /// - Parameter counts: like count of every item (ranking for log-uniform, weights for
    ///   unigram). Ties in rank are broken by item index, so the ranking is deterministic.
    public init(_ distribution: CandidateDistribution, counts: [Double]) throws {
        let m = counts.count
        guard m > 0 else { throw ProblemError.emptyProblem }
        self.distribution = distribution
        itemCount = m
        logMPlus1 = log(Double(m) + 1)
        var p = [Double](repeating: 0, count: m)
        var ranks = [Int32](repeating: 0, count: 0)
        var aliasTable: AliasTable?
        switch distribution {
        case .logUniform:
            let order = (0..<m).sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
            ranks = order.map { Int32($0) }
            for (k, item) in order.enumerated() { p[item] = Self.logUniformProbability(rank: k, itemCount: m) }
        case .uniform:
            p = [Double](repeating: 1 / Double(m), count: m)
        case .unigram:
            let table = try AliasTable(weights: counts)
            p = table.probabilities
            aliasTable = table
        }
        probabilities = p
        supportSize = p.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        logP = SharedBuffer(p.map { log($0) })
        log1mP = SharedBuffer(p.map { log1p(-$0) })
        rankToItem = SharedBuffer(ranks)
        alias = aliasTable
    }

    /// P(k) = (log(k+2) − log(k+1)) / log(M+1), written with log1p for accuracy at large k.
    public static func logUniformProbability(rank k: Int, itemCount m: Int) -> Double {
        log1p(1 / (Double(k) + 1)) / log(Double(m) + 1)
    }

    /// Inverse CDF of the log-uniform law: k = ⌊exp(u·log(M+1))⌋ − 1, clamped to 0…M−1.
    @inline(__always)
    static func logUniformRank(_ u: Double, logMPlus1: Double, itemCount m: Int) -> Int {
        let k = Int(exp(u * logMPlus1)) - 1
        return k < 0 ? 0 : (k >= m ? m - 1 : k)
    }

    /// One draw (an item index).
    @inline(__always)
    public func sample(_ rng: inout SeededGenerator) -> Int {
        switch distribution {
        case .logUniform:
            return Int(rankToItem.pointer[Self.logUniformRank(rng.nextUniform(), logMPlus1: logMPlus1, itemCount: itemCount)])
        case .uniform:
            return RowKernels.uniformInt(itemCount, &rng)
        case .unigram:
            return alias!.sample(&rng)
        }
    }

    /// Expected number of times `item` appears among the draws: 1 − (1 − p)^tries when drawing
    /// until `count` distinct candidates took `tries` draws (unique), p·tries otherwise.
    public func expectedCount(of item: Int, tries: Int, unique: Bool) -> Double {
        unique ? -expm1(Double(tries) * log1mP.pointer[item]) : probabilities[item] * Double(tries)
    }

    /// log of `expectedCount(of:tries:unique:)` from the precomputed tables.
    @inline(__always)
    func logExpectedCount(of item: Int, tries: Int, unique: Bool) -> Double {
        unique ? log(-expm1(Double(tries) * log1mP.pointer[item])) : logP.pointer[item] + log(Double(tries))
    }

    /// Fills `out[0..<count]` with candidates and returns the number of draws made.
    /// With `unique`, draws until `count` distinct items have been seen; `stamps` (M entries,
    /// owned by the caller's thread) and `stamp` (a fresh value per call) track membership in O(1).
    @inline(__always)
    func draw(_ count: Int, unique: Bool, into out: UnsafeMutablePointer<Int32>,
              stamps: UnsafeMutablePointer<UInt32>, stamp: UInt32, _ rng: inout SeededGenerator) -> Int {
        if !unique {
            for c in 0..<count { out[c] = Int32(truncatingIfNeeded: sample(&rng)) }
            return count
        }
        var got = 0, tries = 0
        while got < count {
            let item = sample(&rng)
            tries &+= 1
            if stamps[item] != stamp {
                stamps[item] = stamp
                out[got] = Int32(truncatingIfNeeded: item)
                got &+= 1
            }
        }
        return tries
    }
}
