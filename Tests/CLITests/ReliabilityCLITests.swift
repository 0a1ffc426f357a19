import Testing
import Solvers
import Foundation
import DataIO
import LinearAlgebra
import TestSupport

/// Issue 13 at the command line: non-finite runs fail, degenerate data and over-large sizes are
/// refused before any work, outputs are committed together and never overwrite inputs.
@Suite(.serialized) struct ReliabilityCLITests {
    /// The first 3000 lines of the bundled ratings: a small problem (≈ 1800 items) that runs in a blink.
    static func smallRatings(in dir: TemporaryDirectory) throws -> String {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root = root.deletingLastPathComponent() }
        let text = try String(contentsOf: root.appendingPathComponent("data/ml-latest-small/ratings.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(3000)
        return try dir.write(lines.joined(separator: "\n") + "\n", to: "ratings.csv").path
    }

    static func hidden(_ dir: TemporaryDirectory) throws -> [String] { try dir.contents().filter { $0.hasPrefix(".") } }

    // MARK: Wrong numbers reported as success

    @Test(arguments: [
        ["--solver", "adam", "--learning-rate", "1e100"],
        ["--solver", "gd", "--init", "random", "--init-scale", "1e200"],
        ["--solver", "sgns", "--sampled-learning-rate", "10", "--epochs", "3", "--threads", "1"],
    ])
    func aDivergingRunFailsAndWritesNoEmbedding(arguments: [String]) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let npy = dir.file("v.npy").path
        let r = try coembed(["solve", "--ratings", ratings, "--dim", "4", "--quiet", "--output", npy] + arguments)
        #expect(r.status != 0, "\(r.out)")
        #expect(r.out.contains("termination=nonFiniteLoss") && r.out.contains("loss=nan"), "\(r.out)")
        #expect(!r.out.contains("loss=0\n"))
        #expect(r.err.contains("non-finite"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: npy))
        #expect(try Self.hidden(dir).isEmpty)
    }

    @Test func keepLastFiniteWritesTheLastFiniteIterateButStillFails() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let npy = dir.file("v.npy").path
        let r = try coembed(["solve", "--ratings", ratings, "--dim", "4", "--quiet", "--output", npy, "--solver", "adam",
                             "--learning-rate", "1e100", "--keep-last-finite"])
        #expect(r.status != 0)
        let v = try NPY.read(URL(fileURLWithPath: npy))
        #expect(v.isFinite && v.columns == 4)
    }

    @Test func overflowingEntriesFailCleanlyInsteadOfSIGILL() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let x = try dir.write("0,1e300\n1e300,0\n", to: "x.csv").path
        for solver in ["lbfgs", "gd", "adam", "eigen", "impute"] {
            let r = try coembed(["solve", "--solver", solver, "--dim", "1", "--matrix", x, "--quiet"])
            #expect(r.status == 1, "\(solver): status \(r.status) \(r.err)") // 132 (SIGILL) before
            #expect(r.out.contains("termination=nonFiniteLoss"), "\(solver): \(r.out)")
        }
    }

    @Test func evaluateNeverPrintsZeroForAnOverflowingLoss() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let x = try dir.write("0,1,2\n1,0,3\n2,3,0\n", to: "x.csv").path
        let npy = dir.file("v.npy")
        try NPY.write(Matrix(rows: 3, columns: 1, rowMajor: [1e200, -1e200, 1e200]), to: npy)
        let r = try coembed(["evaluate", "--matrix", x, "--embedding", npy.path])
        #expect(r.status != 0, "\(r.out)") // printed loss=0 before
        #expect(!r.out.contains("loss=0") && r.err.contains("not finite"), "\(r.out) \(r.err)")
    }

    @Test func compareNeverRanksADivergedRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let report = dir.file("report").path
        let r = try coembed(["compare", "--ratings", ratings, "--dim", "4", "--quiet", "--no-random-baseline",
                             "--solvers", "eigen,adam:learning-rate=1e100", "--report", report])
        #expect(r.status != 0, "\(r.out)")
        #expect(r.out.contains("deliverable: \(report)/embedding.npy (eigen,"), "\(r.out)")
        #expect(r.err.contains("learning-rate=1e100") || r.err.contains("adam"), "\(r.err)")
        let files = try FileManager.default.contentsOfDirectory(atPath: report)
        #expect(files.contains("embedding-eigen.npy"))
        #expect(!files.contains { $0.hasPrefix("embedding-adam") }, "\(files)")
        #expect(!files.contains { $0.hasPrefix(".") }, "\(files)") // no temporaries, no lock left
        let markdown = try String(contentsOfFile: report + "/report.md", encoding: .utf8)
        #expect(markdown.contains("Runs that diverged"))
    }

    @Test func theLargeDiagonalLossDoesNotDependOnTheIgnoredDiagonal() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var rng = SplitMix64(seed: 1)
        var rows = [[Double]](repeating: [Double](repeating: 0, count: 20), count: 20)
        for i in 0..<20 { for j in 0..<i { let a = Double(rng.next() % 9); rows[i][j] = a; rows[j][i] = a } }
        func write(_ diagonal: Double, _ name: String) throws -> String {
            var r = rows
            for i in 0..<20 { r[i][i] = diagonal }
            return try dir.write(r.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n") + "\n", to: name).path
        }
        let big = try write(1e12, "big.csv"), small = try write(1e6, "small.csv")
        let npy = dir.file("v.npy").path
        let s = try coembed(["solve", "--matrix", big, "--solver", "eigen", "--dim", "20", "--quiet", "--output", npy])
        #expect(s.status == 0, "\(s.err)")
        let solved = try #require(Double(s.out.split(separator: "loss=").last!.trimmingCharacters(in: .whitespacesAndNewlines)))
        var losses: [Double] = []
        for x in [big, small] {
            let e = try coembed(["evaluate", "--matrix", x, "--embedding", npy])
            #expect(e.status == 0, "\(e.err)")
            losses.append(try #require(Double(e.out.split(separator: "loss=").last!.trimmingCharacters(in: .whitespacesAndNewlines))))
        }
        // The true masked loss of this V is ~1e-4 (rounding of the eigensolver); the implicit
        // formula once printed 4294967296 for it, and 1967466040 under the other diagonal.
        #expect(losses[0] == losses[1], "\(losses)")
        #expect(solved == losses[0])
        #expect(solved < 1e-2, "\(solved)")
    }

    // MARK: Degenerate problems and sizes

    @Test func degenerateDataIsOneClearError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let zero = try dir.write("0,0\n0,0\n", to: "zero.csv").path
        let empty = try dir.write("%%MatrixMarket matrix coordinate real symmetric\n20 20 0\n", to: "empty.mtx").path
        for solver in MethodRegistry.defaultComparison.map(\.name) {
            let r = try coembed(["solve", "--ratings", ratings, "--like-threshold", "6", "--solver", solver, "--dim", "2", "--quiet"])
            #expect(r.status == 1 && r.err.contains("has no likes"), "\(solver): \(r.status) \(r.err)")
            #expect(r.out.isEmpty)
        }
        for x in [zero, empty] {
            let r = try coembed(["solve", "--matrix", x, "--solver", "eigen", "--dim", "1", "--quiet"])
            #expect(r.status == 1 && r.err.contains("nothing to learn") && r.err.contains(x), "\(r.err)")
            #expect(!r.err.contains("dsaupd"))
        }
    }

    @Test(arguments: [
        (["--solver", "lbfgs", "--memory", "100000000"], "--memory 100000000"),
        (["--solver", "in-batch", "--batch-size", "1000000"], "--batch-size 1000000"),
        (["--solver", "in-batch", "--pairs", "1000000000"], "--pairs"),
    ])
    func sizeOptionsBeyondMemoryAreRefused(arguments: [String], mention: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let r = try coembed(["solve", "--ratings", ratings, "--dim", "4", "--quiet"] + arguments)
        #expect(r.status == 1, "status \(r.status)") // SIGABRT (134) before
        #expect(r.err.contains(mention) && r.err.contains("more than the"), "\(r.err)")
    }

    @Test func aHugeDeclaredMatrixIsRefusedAtOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let x = try dir.write("%%MatrixMarket matrix coordinate real symmetric\n2147483647 2147483647 1\n1 1 1\n", to: "huge.mtx").path
        let clock = ContinuousClock()
        var r: (status: Int32, out: String, err: String) = (0, "", "")
        let elapsed = try clock.measure { r = try coembed(["info", "--matrix", x]) }
        #expect(r.status == 1 && r.err.contains("2147483647 × 2147483647"), "\(r.err)")
        #expect(elapsed < .seconds(5)) // 9 s and 2.3 GB before
    }

    // MARK: Files

    @Test func anOutputEqualToAnInputIsRefusedAndTheInputKept() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: ratings))
        let r = try coembed(["solve", "--ratings", ratings, "--dim", "2", "--solver", "eigen", "--quiet", "--output", ratings])
        #expect(r.status != 0 && r.err.contains("is the --ratings input"), "\(r.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ratings)) == before)
        // Another spelling of the same file.
        let other = dir.url.path + "/./ratings.csv"
        let r2 = try coembed(["solve", "--ratings", ratings, "--dim", "2", "--solver", "eigen", "--quiet", "--trace", other])
        #expect(r2.status != 0 && r2.err.contains("is the --ratings input"), "\(r2.err)")
    }

    @Test(arguments: [
        (["--output", "v.npy", "--trace", "x.npy"], "embedding's extension"),
        (["--output", "v.npy", "--trace", "t.w2v"], "embedding's extension"),
        (["--output", "v.csv", "--trace", "items.csv"], "same file"),
        (["--output", "v.npy", "--trace", "v.npy"], "embedding's extension"),
        (["--output", "v.parquet"], "unknown embedding format"),
    ])
    func conflictingOrMistypedOutputsAreRefusedBeforeWork(arguments: [String], mention: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let absolute = arguments.enumerated().map { $0.offset % 2 == 1 ? dir.file($0.element).path : $0.element }
        let r = try coembed(["solve", "--ratings", ratings, "--dim", "2", "--solver", "eigen", "--quiet"] + absolute)
        #expect(r.status != 0 && r.err.contains(mention), "\(r.err)")
        #expect(try dir.contents() == ["ratings.csv"])
    }

    @Test func theFilesOfARunAreWrittenTogetherOrNotAtAll() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let npy = dir.file("v.npy").path
        // The trace's folder cannot exist (a file stands in its place): the embedding must not be
        // written alone. (A folder that is merely missing is created, as `mkdir -p` would.)
        _ = try dir.write("a file, not a folder", to: "blocker")
        let r = try coembed(["solve", "--ratings", ratings, "--dim", "2", "--solver", "eigen", "--quiet", "--output", npy,
                             "--trace", dir.file("blocker/t.csv").path])
        #expect(r.status != 0)
        #expect(r.err.contains("blocker"), "\(r.err)")
        #expect(try dir.contents() == ["blocker", "ratings.csv"]) // no v.npy, no temporaries
    }

    @Test func aReportThatIsAFileIsOneClearLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let report = try dir.write("not a folder", to: "report").path
        let r = try coembed(["compare", "--ratings", ratings, "--dim", "2", "--solvers", "eigen", "--quiet", "--report", report])
        #expect(r.status != 0)
        #expect(r.err.contains("\(report) is a file, not a folder") && !r.err.contains("NSCocoaErrorDomain"), "\(r.err)")
        let nested = try coembed(["compare", "--ratings", ratings, "--dim", "2", "--solvers", "eigen", "--quiet", "--report", report + "/sub"])
        #expect(nested.status != 0 && !nested.err.contains("NSCocoaErrorDomain"), "\(nested.err)")
        #expect(nested.err.split(separator: "\n").count <= 3, "\(nested.err)")
    }

    @Test func aReportFolderInUseIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try Self.smallRatings(in: dir)
        let report = dir.file("report")
        try FileManager.default.createDirectory(at: report, withIntermediateDirectories: true)
        // Another compare (a live process: this test's own) holds the folder.
        try Data("\(getpid())\n".utf8).write(to: report.appendingPathComponent(".coembed.lock"))
        let r = try coembed(["compare", "--ratings", ratings, "--dim", "2", "--solvers", "eigen", "--quiet", "--report", report.path])
        #expect(r.status != 0 && r.err.contains("pid \(getpid())"), "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: report.path) == [".coembed.lock"])
        // Once the owner is gone the lock is stale and the report is written.
        try Data("999999999\n".utf8).write(to: report.appendingPathComponent(".coembed.lock"))
        let ok = try coembed(["compare", "--ratings", ratings, "--dim", "2", "--solvers", "eigen", "--quiet", "--report", report.path])
        #expect(ok.status == 0, "\(ok.err)")
        let files = try FileManager.default.contentsOfDirectory(atPath: report.path)
        #expect(files.contains("report.md") && !files.contains(".coembed.lock"), "\(files)")
    }
}
