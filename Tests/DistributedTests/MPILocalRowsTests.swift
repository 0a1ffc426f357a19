import XCTest
import Foundation
import DataIO
import LinearAlgebra
import Solvers
import TestSupport

/// Under mpirun lbfgs, gd, adam, eigen, newton and impute hold only their own rows of V (`--verbose`
/// prints, after the run, the rows each rank's solver held).
extension MPIRunTests {
    struct RankHeld: Equatable {
        var rank: Int, rows: Int, items: Int, lower: Int, upper: Int, layout: String
    }

    /// `held: rank r rows n of M (items a..<b, local) columns D peak-MiB m` lines, by rank.
    func rankHeld(_ err: String) -> [RankHeld] {
        err.split(separator: "\n").compactMap { line -> RankHeld? in
            let w = line.split(separator: " ").map(String.init)
            guard w.count == 14, w[0] == "held:" else { return nil }
            let range = w[8].dropLast().components(separatedBy: "..<")
            guard let r = Int(w[2]), let n = Int(w[4]), let m = Int(w[6]), range.count == 2,
                  let lo = Int(range[0]), let hi = Int(range[1]) else { return nil }
            return RankHeld(rank: r, rows: n, items: m, lower: lo, upper: hi, layout: String(w[9].dropLast()))
        }.sorted { $0.rank < $1.rank }
    }

    func testEachRankHoldsOnlyItsRowsOfV() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        // Every registered masked-loss method (alternately on 3 and 2 ranks), and impute's SQUAREM path.
        // A method that does not declare `runsOnLocalRows` runs replicated (every rank all of V).
        let methods = MethodRegistry.all.filter { $0.family == .maskedLoss }
        let runs = methods.enumerated().map { (3 - $0.offset % 2, ["--solver", $0.element.name, "--max-iterations", "3"], $0.element.runsOnLocalRows) }
            + [(3, ["--solver", "impute", "--max-iterations", "2", "--acceleration", "squarem"], true)]
        for (np, args, local) in runs {
            let r = try mpirun(np, ["solve", "--ratings", ratings, "--dim", "6", "--quiet", "--verbose"] + args, in: dir)
            XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
            let held = rankHeld(r.err)
            let reads = rankReads(r.err)
            XCTAssertEqual(held.map(\.rank), Array(0..<np), "\(args): one line per rank: \(r.err)")
            XCTAssertEqual(reads.count, np)
            for (h, read) in zip(held, reads) {
                XCTAssertEqual(h.layout, local ? "local" : "replicated", "\(args)")
                guard local else { XCTAssertEqual(h.rows, h.items, "\(args): all of V"); continue }
                XCTAssertEqual(h.rows, read.upper - read.lower, "\(args): rank \(h.rank) holds its block's rows")
                XCTAssertEqual(h.lower, read.lower)
                XCTAssertLessThan(h.rows, h.items, "\(args): not all of V")
            }
            if local { XCTAssertEqual(held.map(\.rows).reduce(0, +), held.first?.items, "\(args): the blocks cover the items once") }
        }
    }

    /// impute's exact inner step is not distributed: refused before any work, one message, status 1.
    func testImputeExactInnerIsRefusedUnderMPIRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        let r = try mpirun(2, ["solve", "--ratings", ratings, "--dim", "6", "--quiet", "--solver", "impute", "--impute-inner", "exact",
                               "--output", dir.file("v.npy").path], in: dir)
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertEqual(r.err.components(separatedBy: "--impute-inner exact").count - 1, 1, "one message: \(r.err)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("v.npy").path))
        XCTAssertTrue(r.out.isEmpty, r.out)
    }

    /// Every registered method outside the masked-loss family (the sampled ones) is refused under
    /// mpirun before any work: one message naming it, status 1, no output file.
    func testMethodsOutsideTheMaskedLossFamilyAreRefusedUnderMPIRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        let others = MethodRegistry.all.filter { $0.family != .maskedLoss }
        XCTAssertFalse(others.isEmpty)
        for method in others {
            let r = try mpirun(2, ["solve", "--ratings", ratings, "--dim", "6", "--quiet", "--solver", method.name,
                                   "--output", dir.file("v.npy").path], in: dir)
            XCTAssertEqual(r.status, 1, "\(method.name): \(r.err)")
            XCTAssertEqual(r.err.components(separatedBy: "under mpirun, \(method.name) is not available").count - 1, 1,
                           "one message: \(r.err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("v.npy").path))
            XCTAssertTrue(r.out.isEmpty, r.out)
        }
    }
}
