import Testing
import Foundation
import LinearAlgebra
@testable import Solvers

/// Pearson's χ² statistic of observed counts against expected probabilities.
func chiSquare(_ observed: [Int], _ probabilities: [Double]) -> Double {
    let n = Double(observed.reduce(0, +))
    var x2 = 0.0
    for (o, p) in zip(observed, probabilities) where p > 0 {
        let e = n * p
        x2 += (Double(o) - e) * (Double(o) - e) / e
    }
    return x2
}

@Suite struct SampledSamplerTests {
    /// χ²₀.₉₉₉ with 49 degrees of freedom (scipy.stats.chi2.ppf(0.999, 49)).
    static let critical49 = 85.35

    @Test func logUniformFrequenciesMatchZipfLaw() throws {
        let m = 50
        // Counts decreasing with the index, so rank k is item k.
        let sampler = try CandidateSampler(.logUniform, counts: (0..<m).map { Double(m - $0) })
        let p = (0..<m).map { CandidateSampler.logUniformProbability(rank: $0, itemCount: m) }
        #expect(abs(p.reduce(0, +) - 1) < 1e-12) // telescoping sum
        #expect(sampler.probabilities == p)
        var rng = SeededGenerator(seed: 2024)
        var counts = [Int](repeating: 0, count: m)
        for _ in 0..<200_000 { counts[sampler.sample(&rng)] += 1 }
        let x2 = chiSquare(counts, p)
        #expect(x2 < Self.critical49, "χ² = \(x2)")
        // The test has power: the same draws are far from a uniform law.
        #expect(chiSquare(counts, [Double](repeating: 1.0 / Double(m), count: m)) > 100 * Self.critical49)
    }

    @Test func logUniformRanksFollowLikeCountsNotIndices() throws {
        // Item 7 is the most liked: it must get rank 0's probability log(2)/log(M+1).
        var counts = [Double](repeating: 1, count: 10)
        counts[7] = 50
        let sampler = try CandidateSampler(.logUniform, counts: counts)
        #expect(abs(sampler.probabilities[7] - log(2) / log(11)) < 1e-15)
        #expect(abs(sampler.probabilities[0] - log(3.0 / 2) / log(11)) < 1e-15) // ties by index: item 0 is rank 1
        // Inverse CDF stays in range at the ends of [0, 1).
        #expect(CandidateSampler.logUniformRank(0, logMPlus1: log(11), itemCount: 10) == 0)
        #expect(CandidateSampler.logUniformRank(0.999_999_999_999, logMPlus1: log(11), itemCount: 10) == 9)
    }

    @Test(arguments: [0.0, 0.75, 1.0])
    func aliasFrequenciesAreProportionalToCountPower(alpha: Double) throws {
        var rng = SeededGenerator(seed: 5)
        let likes = (0..<50).map { _ in Double(1 + RowKernels.uniformInt(200, &rng)) }
        let weights = likes.map { alpha == 0 ? 1 : pow($0, alpha) }
        let table = try AliasTable(weights: weights)
        let total = weights.reduce(0, +)
        let p = weights.map { $0 / total }
        for (a, b) in zip(table.probabilities, p) { #expect(abs(a - b) < 1e-15) }
        var counts = [Int](repeating: 0, count: 50)
        for _ in 0..<200_000 { counts[table.sample(&rng)] += 1 }
        let x2 = chiSquare(counts, p)
        #expect(x2 < Self.critical49, "α = \(alpha): χ² = \(x2)")
    }

    @Test func aliasNeverDrawsZeroWeightsAndNoiseWeightsFollowSGNSConvention() throws {
        let table = try AliasTable(weights: [0, 3, 0, 1])
        var rng = SeededGenerator(seed: 1)
        var counts = [0, 0, 0, 0]
        for _ in 0..<40_000 { counts[table.sample(&rng)] += 1 }
        #expect(counts[0] == 0 && counts[2] == 0)
        #expect(chiSquare([counts[1], counts[3]], [0.75, 0.25]) < 10.83) // χ²₀.₉₉₉, 1 dof
        let s = try SparseMatrix(rows: 2, columns: 3, triplets: [(0, 0, 1), (1, 0, 1), (1, 1, 1)])
        #expect(SampledSetup.noiseWeights(s, power: 0.75) == [pow(2, 0.75), 1, 0])
        #expect(SampledSetup.noiseWeights(s, power: 0) == [1, 1, 1])
        #expect(throws: ProblemError.self) { try AliasTable(weights: [0, 0]) }
    }

    @Test func unigramSamplerFollowsCounts() throws {
        var rng = SeededGenerator(seed: 8)
        let likes = (0..<50).map { _ in Double(RowKernels.uniformInt(30, &rng)) }
        let sampler = try CandidateSampler(.unigram, counts: likes)
        let total = likes.reduce(0, +)
        var counts = [Int](repeating: 0, count: 50)
        for _ in 0..<200_000 { counts[sampler.sample(&rng)] += 1 }
        // Items with no likes are left out of the statistic, so df ≤ 49 and the 49-dof bound is conservative.
        #expect(chiSquare(counts, likes.map { $0 / total }) < Self.critical49)
        for i in 0..<50 where likes[i] == 0 { #expect(counts[i] == 0) }
    }

    @Test func expectedCountsMatchSimulation() throws {
        let m = 50, s = 10, trials = 40_000
        let sampler = try CandidateSampler(.logUniform, counts: (0..<m).map { Double(m - $0) })
        let stamps = UnsafeMutablePointer<UInt32>.allocate(capacity: m)
        stamps.initialize(repeating: 0, count: m)
        let out = UnsafeMutablePointer<Int32>.allocate(capacity: s)
        defer { stamps.deallocate(); out.deallocate() }
        var rng = SeededGenerator(seed: 77)

        // Non-unique: E[count] = p · S exactly.
        var occurrences = [Int](repeating: 0, count: m)
        for _ in 0..<trials {
            let tries = sampler.draw(s, unique: false, into: out, stamps: stamps, stamp: 0, &rng)
            #expect(tries == s)
            for c in 0..<s { occurrences[Int(out[c])] += 1 }
        }
        for item in [0, 1, 5, 20, 49] {
            let expected = sampler.expectedCount(of: item, tries: s, unique: false)
            #expect(expected == sampler.probabilities[item] * Double(s))
            let observed = Double(occurrences[item]) / Double(trials)
            #expect(abs(observed - expected) < 4 * (expected / Double(trials)).squareRoot() + 1e-3, "item \(item)")
        }

        // Unique: the S candidates are distinct, and the empirical inclusion frequency of an item
        // matches the mean over trials of 1 − (1 − p)^tries (the TensorFlow approximation).
        occurrences = [Int](repeating: 0, count: m)
        var predicted = [Double](repeating: 0, count: m)
        for trial in 0..<trials {
            let tries = sampler.draw(s, unique: true, into: out, stamps: stamps, stamp: UInt32(trial + 1), &rng)
            #expect(tries >= s)
            #expect(Set((0..<s).map { out[$0] }).count == s)
            for c in 0..<s { occurrences[Int(out[c])] += 1 }
            for item in 0..<m { predicted[item] += sampler.expectedCount(of: item, tries: tries, unique: true) }
        }
        for item in [0, 1, 5, 20, 49] {
            let p = sampler.probabilities[item]
            let formula = sampler.expectedCount(of: item, tries: 13, unique: true)
            #expect(abs(formula - (1 - pow(1 - p, 13))) < 1e-14)
            let observed = Double(occurrences[item]) / Double(trials), model = predicted[item] / Double(trials)
            #expect(abs(observed - model) < 0.03 * model + 0.005, "item \(item): \(observed) vs \(model)")
        }
        #expect(occurrences.reduce(0, +) == s * trials)
    }
}
