import XCTest
import Foundation
import TestSupport

/// The run's memory check counts each rank's held rows (M_b × D per solver array), not M.
extension MPIRunTests {
    /// L-BFGS with 50 pairs at D = 32 needs ~1.8 MB in one process (M = 90) and about half per rank
    /// at np 2: a 1.5 MB budget refuses the first (before any work) and admits the second.
    func testMemoryCheckCountsTheHeldRows() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        let common = ["solve", "--ratings", ratings, "--solver", "lbfgs", "--dim", "32", "--memory", "50", "--init", "random",
                      "--max-iterations", "2", "--quiet"]
        let budget = "COEMBED_MEMORY_BUDGET=1500K"
        let single = try run(["/usr/bin/env", budget, binary] + common + ["--output", dir.file("one.npy").path], in: dir)
        XCTAssertEqual(single.status, 1, single.err)
        XCTAssertTrue(single.err.contains("L-BFGS history") && single.err.contains("more than the"), single.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("one.npy").path))
        let mpirun = try XCTUnwrap(Self.mpirunPath())
        let split = try run(["/usr/bin/env", budget, mpirun, "--oversubscribe", "-np", "2", binary] + common
                            + ["--output", dir.file("np2.npy").path], in: dir)
        XCTAssertEqual(split.status, 0, split.err)
        XCTAssertNotNil(finalLoss(split.out), split.out)
        // A budget below every rank's share: every rank stops, one message names the held rows.
        let refused = try run(["/usr/bin/env", "COEMBED_MEMORY_BUDGET=300K", mpirun, "--oversubscribe", "-np", "2", binary] + common
                              + ["--output", dir.file("np2b.npy").path], in: dir)
        XCTAssertNotNil(refused.status, "no hang")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("rows held here"), refused.err)
        XCTAssertEqual(refused.err.components(separatedBy: "L-BFGS history").count - 1, 1, "one message: \(refused.err)")
    }
}
