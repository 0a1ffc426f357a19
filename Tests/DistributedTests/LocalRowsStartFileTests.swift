import XCTest
import Foundation
import LinearAlgebra
@testable import Solvers
import TestSupport

/// A file start with local rows (`StartingPoint.make(.file)`): a reader that hands over only the
/// participant's rows is taken as is, a whole matrix is cut to them, and a reader that fails on one
/// participant fails on every one (one agreement), so no participant goes on alone.
extension LocalRowsTests {
    struct ReadFailure: Error, CustomStringConvertible { var description: String { "rank 1 cannot read" } }

    func testFileStartTakesTheOwnRowsAndAgreesOnFailure() throws {
        let s = try interactions()
        let d = 3
        var rng = SplitMix64(seed: 4)
        let v = RandomProblems.gaussianMatrix(rows: s.columns, columns: d, using: &rng)
        let url = URL(fileURLWithPath: "/nonexistent/start.npy")
        let out = try onTeam(s, ranks: 3, dimension: d) { problem -> (Range<Int>, Matrix, Matrix) in
            let held = problem.heldRows
            let own = try StartingPoint.make(.file(url), problem: problem, dimension: d, seed: 0) { _ in self.rows(v, held) }.0
            let cut = try StartingPoint.make(.file(url), problem: problem, dimension: d, seed: 0) { _ in v }.0
            return (held, own, cut)
        }
        for (held, own, cut) in out {
            XCTAssertEqual(own.storage, rows(v, held).storage)
            XCTAssertEqual(cut.storage, rows(v, held).storage)
        }
        let failures = try onTeam(s, ranks: 3, dimension: d) { problem -> String in
            let held = problem.heldRows
            do {
                _ = try StartingPoint.make(.file(url), problem: problem, dimension: d, seed: 0) { _ in
                    if problem.distribution?.rank == 1 { throw ReadFailure() }
                    return self.rows(v, held)
                }
                return "started"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(failures[1], "rank 1 cannot read")
        for (rank, message) in failures.enumerated() where rank != 1 { XCTAssertNotEqual(message, "started", "rank \(rank) went on alone") }
        // A non-finite entry in one participant's rows stops every participant.
        var bad = v
        bad[s.columns - 1, 0] = .nan
        let nonFinite = try onTeam(s, ranks: 2, dimension: d) { problem -> Bool in
            do { _ = try StartingPoint.make(.file(url), problem: problem, dimension: d, seed: 0) { _ in self.rows(bad, problem.heldRows) }; return false } catch { return true }
        }
        XCTAssertEqual(nonFinite, [true, true])
    }
}
