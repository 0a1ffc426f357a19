import Foundation
import LinearAlgebra

/// A reproducible synthetic interaction matrix S (users × items, binary likes) with the shape of
/// real catalogues: a few heavy users and a long tail of rarely liked items.
///
/// Distribution (the parameters are fields, with these defaults):
/// - **User activity.** Each user gets a weight w_u = exp(σ·z_u), z_u ~ N(0, 1) (log-normal,
///   σ = `activitySigma` = 1). Like counts are w_u·L/Σw rounded by largest remainder, so they sum
///   to exactly L = `likes`; a user never holds more than half the catalogue (any excess is
///   handed, one like at a time, to the other users in decreasing weight order).
/// - **Item popularity.** The item of popularity rank r (0-based) is drawn with probability
///   ∝ (r + `popularityOffset`)^(−`popularityExponent`), offset 10 and exponent 0.9 by default
///   (a Zipf–Mandelbrot law). Ranks are mapped to item indices by a seeded permutation, so index
///   order says nothing about popularity.
/// - **Per user** the likes are distinct items drawn from the popularity law without
///   replacement (repeats redrawn).
///
/// Every random choice flows from `seed` (xoshiro256** via `SeededGenerator`): equal parameters
/// give the same matrix on every machine. Users or items that receive no like still exist as
/// empty rows/columns of S; a ratings file lists only the likes, so a loader sees the users and
/// items that have at least one.
public struct SyntheticInteractions: Sendable {
    public var users: Int
    public var items: Int
    public var likes: Int
    public var seed: UInt64
    public var activitySigma: Double = 1.0
    public var popularityExponent: Double = 0.9
    public var popularityOffset: Double = 10

    public init(users: Int, items: Int, likes: Int, seed: UInt64 = 0) {
        self.users = users
        self.items = items
        self.likes = likes
        self.seed = seed
    }

    /// Checks the parameters before any work.
    public func validate() throws {
        guard users >= 1 else { throw ProblemError.invalidOption("--users must be at least 1, got \(users)") }
        guard items >= 2 else { throw ProblemError.invalidOption("--items must be at least 2, got \(items)") }
        guard items <= Int(Int32.max) else { throw ProblemError.invalidOption("--items \(items) exceeds the 32-bit index range") }
        guard likes >= 0 else { throw ProblemError.invalidOption("--likes must be non-negative, got \(likes)") }
        let ceiling = users.multipliedReportingOverflow(by: items / 2)
        guard !ceiling.overflow, likes <= ceiling.partialValue else {
            throw ProblemError.invalidOption("--likes \(likes) exceeds users × items/2 = \(ceiling.partialValue): a user may like at most half the items")
        }
        guard activitySigma >= 0, activitySigma.isFinite else { throw ProblemError.invalidOption("activity σ must be finite and ≥ 0") }
        guard popularityExponent >= 0, popularityExponent.isFinite else { throw ProblemError.invalidOption("popularity exponent must be finite and ≥ 0") }
        guard popularityOffset > 0, popularityOffset.isFinite else { throw ProblemError.invalidOption("popularity offset must be finite and > 0") }
    }

    /// Likes per user (sums to `likes` exactly, each ≤ items/2).
    public func likesPerUser() -> [Int] {
        var rng = SeededGenerator(seed: seed ^ 0xAC71_5171)
        var weights = [Double](repeating: 0, count: users)
        var total = 0.0
        for u in 0..<users {
            weights[u] = (activitySigma * rng.nextGaussian()).exp()
            total += weights[u]
        }
        var counts = [Int](repeating: 0, count: users)
        var fractions = [(fraction: Double, user: Int)]()
        fractions.reserveCapacity(users)
        var assigned = 0
        for u in 0..<users {
            let exact = Double(likes) * weights[u] / total
            let whole = Int(exact.rounded(.down))
            counts[u] = whole
            assigned += whole
            fractions.append((exact - Double(whole), u))
        }
        // Largest remainder (ties by user index) makes the sum exact.
        fractions.sort { $0.fraction != $1.fraction ? $0.fraction > $1.fraction : $0.user < $1.user }
        var k = 0
        while assigned < likes {
            counts[fractions[k % users].user] += 1
            assigned += 1
            k += 1
        }
        let cap = items / 2
        var excess = 0
        for u in 0..<users where counts[u] > cap { excess += counts[u] - cap; counts[u] = cap }
        if excess > 0 {
            let byWeight = (0..<users).sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
            while excess > 0 {
                for u in byWeight where excess > 0 && counts[u] < cap { counts[u] += 1; excess -= 1 }
            }
        }
        return counts
    }

    /// S (users × items, values 1), rows in user order, column indices increasing.
    public func generate() throws -> SparseMatrix {
        try validate()
        let perUser = likesPerUser()
        let alias = try AliasTable(weights: (0..<items).map { pow(Double($0) + popularityOffset, -popularityExponent) })
        var rng = SeededGenerator(seed: seed ^ 0x17E4_5EED)
        var itemOfRank = Array(0..<items).map(Int32.init)
        itemOfRank.shuffle(using: &rng)
        var rowPointers = [Int](repeating: 0, count: users + 1)
        for u in 0..<users { rowPointers[u + 1] = rowPointers[u] + perUser[u] }
        var columns = [Int32](repeating: 0, count: likes)
        // lastUser[i] = 1 + the last user who drew item i: a duplicate test without clearing.
        var lastUser = [Int32](repeating: 0, count: items)
        columns.withUnsafeMutableBufferPointer { out in
            for u in 0..<users {
                let start = rowPointers[u], end = rowPointers[u + 1]
                let stamp = Int32(truncatingIfNeeded: u + 1)
                var k = start
                while k < end {
                    let item = itemOfRank[alias.sample(&rng)]
                    if lastUser[Int(item)] == stamp { continue }
                    lastUser[Int(item)] = stamp
                    out[k] = item
                    k += 1
                }
                out[start..<end].sort()
            }
        }
        return try SparseMatrix(rows: users, columns: items, rowPointers: rowPointers, columnIndices: columns,
                                values: [Double](repeating: 1, count: likes))
    }
}

private extension Double {
    func exp() -> Double { Foundation.exp(self) }
}
