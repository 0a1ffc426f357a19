import XCTest
import LinearAlgebra
@testable import Solvers

/// The small distributed problems the ThreadTeam tests share: participants are threads, each
/// holding only its item block of S, running the same code an MPI rank runs.
enum ThreadTeamProblems {
    /// Users × items with uneven item popularity (so nonzero-balanced blocks differ from count-balanced).
    static func interactions(users: Int = 30, items: Int = 37, seed: UInt64 = 7) throws -> SparseMatrix {
        var rng = SplitMix64(seed: seed)
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<users {
            for i in 0..<items where Double(rng.next() >> 11) * 0x1.0p-53 < 0.5 / Double(1 + i % 5) {
                triplets.append((u, i, Double(1 + rng.next() % 5) * 0.5))
            }
        }
        return try SparseMatrix(rows: users, columns: items, triplets: triplets)
    }

    /// Runs `body` on `ranks` threads, each with its distributed problem (holding only its own rows
    /// of V when `ownRowsOnly`); returns rank-ordered results.
    static func onTeam<T>(_ s: SparseMatrix, ranks: Int, dimension: Int, ownRowsOnly: Bool,
                          _ body: @escaping (Problem) throws -> T) throws -> [T] {
        let team = ThreadTeam(size: ranks)
        var counts = [Int](repeating: 0, count: s.columns)
        for c in s.columnIndices { counts[Int(c)] += 1 }
        let bounds = ItemDistribution.balancedBounds(itemNonzeros: counts, parts: ranks, dimension: dimension)
        let results = ResultBox<T>(count: ranks)
        try team.run { comm in
            let distribution = ItemDistribution(communicator: comm, bounds: bounds, ownRowsOnly: ownRowsOnly)
            if ownRowsOnly { XCTAssertTrue(distribution.holdsOwnRowsOnly) }
            let problem = try Problem(interactionsBlock: try distribution.localBlock(of: s), distribution: distribution)
            results.set(comm.rank, try body(problem))
        }
        return results.values.map { $0! }
    }
}

/// What the ThreadTeam test cases share: the test problem, the team run (each participant holding
/// only its own rows of V when the case's `ownRowsOnly`), and the comparison of results.
protocol ThreadTeamTestCase {
    /// Whether the participants hold only their own rows V_b (`ItemDistribution.holdsOwnRowsOnly`).
    static var ownRowsOnly: Bool { get }
}

extension ThreadTeamTestCase {
    func interactions(users: Int = 30, items: Int = 37, seed: UInt64 = 7) throws -> SparseMatrix {
        try ThreadTeamProblems.interactions(users: users, items: items, seed: seed)
    }

    func onTeam<T>(_ s: SparseMatrix, ranks: Int, dimension: Int, _ body: @escaping (Problem) throws -> T) throws -> [T] {
        try ThreadTeamProblems.onTeam(s, ranks: ranks, dimension: dimension, ownRowsOnly: Self.ownRowsOnly, body)
    }

    /// The largest entry-wise difference of two matrices of the same shape.
    func maxDifference(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.rows == b.rows && a.columns == b.columns)
        return zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
    }
}
