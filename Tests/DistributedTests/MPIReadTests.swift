import XCTest
import Foundation
import DataIO
import LinearAlgebra
import Solvers
import TestSupport

/// The partitioned read under mpirun: every rank reads only its part of the input and ends with
/// exactly the block of S one process would give it (`--verbose` prints each rank's block, its
/// likes and a checksum of its (user, item) pairs), and the run matches one process.
extension MPIRunTests {
    struct RankRead: Equatable {
        var rank: Int, lower: Int, upper: Int, items: Int, users: Int, likes: Int, checksum: String
    }

    /// `read: rank r items a..<b of M users U likes K checksum H seconds t peak-MiB m` lines, by rank.
    func rankReads(_ err: String) -> [RankRead] {
        err.split(separator: "\n").compactMap { line -> RankRead? in
            let w = line.split(separator: " ").map(String.init)
            guard w.count == 17, w[0] == "read:" else { return nil }
            let range = w[4].components(separatedBy: "..<")
            guard let r = Int(w[2]), let lo = Int(range[0]), let hi = Int(range[1]), let m = Int(w[6]), let u = Int(w[8]),
                  let k = Int(w[10]) else { return nil }
            return RankRead(rank: r, lower: lo, upper: hi, items: m, users: u, likes: k, checksum: w[12])
        }.sorted { $0.rank < $1.rank }
    }

    /// What each rank must hold: one process's S cut into the blocks `balancedBounds` gives.
    func expectedReads(_ s: SparseMatrix, ranks: Int, dimension: Int) -> [RankRead] {
        var likes = [Int](repeating: 0, count: s.columns)
        for c in s.columnIndices { likes[Int(c)] += 1 }
        let bounds = ItemDistribution.balancedBounds(itemNonzeros: likes, parts: ranks, dimension: dimension)
        return (0..<ranks).map { r in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            var count = 0
            for u in 0..<s.rows {
                for k in s.rowPointers[u]..<s.rowPointers[u + 1] where (bounds[r]..<bounds[r + 1]).contains(Int(s.columnIndices[k])) {
                    hash = (hash ^ UInt64(u * s.columns + Int(s.columnIndices[k]))) &* 0x0000_0100_0000_01B3
                    count += 1
                }
            }
            return RankRead(rank: r, lower: bounds[r], upper: bounds[r + 1], items: s.columns, users: s.rows, likes: count,
                            checksum: String(hash, radix: 16))
        }
    }

    func testEachRankReadsExactlyItsBlockOfEveryInputKind() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let movieLens = try ratingsFile(in: dir, users: 60, items: 80)
        // A custom layout: `;`-separated, no header, item before user, string ids, a rating.
        var rng = SplitMix64(seed: 5)
        var custom: [String] = []
        for u in 0..<50 {
            for i in 0..<70 where rng.next() % 5 == 0 { custom.append("sku-\(i * 7 % 71);u\(u * 13 % 53);\(1 + rng.next() % 5)") }
        }
        let customURL = try dir.write(custom.joined(separator: "\n") + "\n", to: "custom.txt")
        let customLayout = RatingsLayout(separator: .byte(59), hasHeader: false, columns: try RatingsLayout.Columns(argument: "item,user,rating"))
        let customArgs = ["--ratings", customURL.path, "--sep", ";", "--no-header", "--columns", "item,user,rating", "--like-threshold", "3"]
        let s = try RatingsFile.load(URL(fileURLWithPath: movieLens)).matrix
        let mtx = dir.file("s.mtx"), csr = dir.file("s_csr.npz")
        try MatrixMarket.write(s, to: mtx)
        try SparseNPZ.write(s, to: csr)
        let csc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DataIOTests/Fixtures/random_csc.npz")

        let inputs: [(name: String, args: [String], s: SparseMatrix, ranks: [Int])] = [
            ("MovieLens CSV", ["--ratings", movieLens], s, [2, 3]),
            ("custom CSV", customArgs, try RatingsFile.load(customURL, layout: customLayout, likeThreshold: 3).matrix, [2, 3]),
            (".mtx", ["--interactions", mtx.path], try InteractionFile.load(mtx).matrix, [2]),
            (".npz CSR", ["--interactions", csr.path], try InteractionFile.load(csr).matrix, [2]),
            // More users than items: one process would start from the block eigensolver (an
            // initialisation residual of 1e-6·λ_max), which mpirun does not offer; ARPACK on both sides.
            (".npz CSC", ["--interactions", csc.path, "--eigen-backend", "arpack"], try InteractionFile.load(csc).matrix, [3]),
        ]
        let d = 4
        for input in inputs {
            let common = ["solve"] + input.args + ["--dim", "\(d)", "--quiet", "--max-iterations", "3"]
            try FileManager.default.createDirectory(at: dir.file("one"), withIntermediateDirectories: true)
            let single = try run([binary] + common + ["--output", dir.file("one/v.npy").path], in: dir)
            XCTAssertEqual(single.status, 0, "\(input.name): \(single.err)")
            let v1 = try NPY.read(dir.file("one/v.npy"))
            for np in input.ranks {
                let folder = dir.file("np\(np)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let r = try mpirun(np, common + ["--verbose", "--output", folder.appendingPathComponent("v.npy").path], in: dir)
                XCTAssertEqual(r.status, 0, "\(input.name) np \(np): \(r.err)")
                XCTAssertEqual(rankReads(r.err), expectedReads(input.s, ranks: np, dimension: d), "\(input.name) np \(np): \(r.err)")
                XCTAssertEqual(r.out.split(separator: "\n").count, 1, r.out)
                let loss = try XCTUnwrap(finalLoss(r.out), r.out), reference = try XCTUnwrap(finalLoss(single.out), single.out)
                XCTAssertEqual(loss, reference, accuracy: 1e-10 * reference, "\(input.name) np \(np)")
                let v = try NPY.read(folder.appendingPathComponent("v.npy"))
                XCTAssertEqual(v.rows, v1.rows)
                let scale = v1.storage.map(abs).max() ?? 1
                XCTAssertLessThan(zip(v.storage, v1.storage).map { abs($0 - $1) }.max() ?? 0, 1e-6 * scale, "\(input.name) np \(np)")
                XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("items.csv"), encoding: .utf8),
                               try String(contentsOf: dir.file("one/items.csv"), encoding: .utf8), "\(input.name) np \(np)")
            }
        }
    }

    func testAMalformedLineInRankOnesRangeIsReportedOnceWithItsLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let good = try String(contentsOfFile: try ratingsFile(in: dir, users: 60, items: 80), encoding: .utf8)
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let bad = lines.count * 3 / 4   // in the second half of the bytes: rank 1's range of 2
        lines[bad] = "17,42,four,0"
        let url = try dir.write(lines.joined(separator: "\n"), to: "bad.csv")
        let single = try run([binary, "solve", "--ratings", url.path, "--dim", "4", "--quiet"], in: dir)
        XCTAssertEqual(single.status, 1)
        let message = "\(url.path):\(bad + 1): rating \"four\" is not a number"
        XCTAssertTrue(single.err.contains(message), single.err)
        for np in [2, 3] {
            let r = try mpirun(np, ["solve", "--ratings", url.path, "--dim", "4", "--quiet"], in: dir)
            XCTAssertEqual(try XCTUnwrap(r.status, "mpirun hung: \(r.err)"), 1, r.err)
            XCTAssertEqual(r.err.components(separatedBy: message).count - 1, 1, "one message, the one-process one: \(r.err)")
            XCTAssertFalse(r.err.contains("rank"), "the file's problem, not a rank's: \(r.err)")
            XCTAssertFalse(r.out.contains("loss="), r.out)
        }
    }
}
