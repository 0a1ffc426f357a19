import XCTest
import Foundation
import DataIO
import LinearAlgebra
import TestSupport

/// `--init file.npy` under mpirun: each rank reads only its rows (C order: one positioned read;
/// Fortran order: one per column), the run equals one process's, and a bad file is reported once.
extension MPIRunTests {
    /// `v` as a Fortran-order `.npy` (the C-order header with the flag flipped: same length).
    func fortranOrderNPY(_ v: Matrix) -> [UInt8] {
        var header = NPY.header(rows: v.rows, columns: v.columns)
        let flag = Array("'fortran_order': False".utf8)
        let at = (0...(header.count - flag.count)).first { Array(header[$0..<($0 + flag.count)]) == flag }!
        header.replaceSubrange(at..<(at + flag.count), with: Array("'fortran_order': True ".utf8))
        for x in v.storage { withUnsafeBytes(of: x.bitPattern.littleEndian) { header += $0 } }
        return header
    }

    func testStartFileIsReadByRowsAndMatchesOneProcess() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        let start = dir.file("start.npy")
        let made = try run([binary, "solve", "--ratings", ratings, "--dim", "6", "--quiet", "--solver", "eigen", "--output", start.path], in: dir)
        XCTAssertEqual(made.status, 0, made.err)
        // A start that is not an eigen basis (columns not orthogonal), in both orders.
        var v = try NPY.read(start)
        for i in 0..<v.rows { v[i, 0] += 0.3 * v[i, 1] + 0.01 * Double(i % 7) }
        try NPY.write(v, to: start)
        let fortran = try dir.write(bytes: fortranOrderNPY(v), to: "fortran.npy")
        XCTAssertEqual(try NPY.read(fortran).storage, v.storage)
        for args in [["--solver", "lbfgs", "--max-iterations", "6"], ["--solver", "impute", "--max-iterations", "4"]] {
            let common = ["solve", "--ratings", ratings, "--dim", "6", "--quiet"] + args
            let single = try run([binary] + common + ["--init", start.path, "--output", dir.file("one.npy").path], in: dir)
            XCTAssertEqual(single.status, 0, single.err)
            let reference = try XCTUnwrap(finalLoss(single.out), single.out)
            for (np, file) in [(2, start), (3, fortran)] {
                let r = try mpirun(np, common + ["--init", file.path, "--output", dir.file("np.npy").path], in: dir)
                XCTAssertEqual(r.status, 0, "np \(np) \(args): \(r.err)")
                let loss = try XCTUnwrap(finalLoss(r.out), "np \(np) \(args): \(r.out) \(r.err)")
                XCTAssertEqual(loss, reference, accuracy: 1e-10 * reference, "np \(np) \(args) \(file.lastPathComponent)")
                XCTAssertEqual(field("iterations", r.out), field("iterations", single.out), "np \(np) \(args)")
            }
        }
    }

    func testABadStartFileIsReportedOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        let wrongShape = dir.file("wrong.npy")
        try NPY.write(Matrix(rows: 5, columns: 6), to: wrongShape)
        let truncated = try dir.write(bytes: Array(NPY.encode(Matrix(rows: 90, columns: 6)).dropLast(8)), to: "truncated.npy")
        for (file, message) in [(wrongShape, "holds a 5×6 embedding"), (truncated, "truncated data")] {
            for np in [2, 3] {
                let r = try mpirun(np, ["solve", "--ratings", ratings, "--dim", "6", "--quiet", "--init", file.path,
                                        "--output", dir.file("v.npy").path], in: dir)
                XCTAssertEqual(r.status, 1, "np \(np): \(r.err)")
                XCTAssertEqual(r.err.components(separatedBy: message).count - 1, 1, "np \(np): one message: \(r.err)")
                XCTAssertTrue(r.err.contains(file.lastPathComponent), r.err)
                XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("v.npy").path))
            }
        }
    }
}
