import Testing
import Foundation
import DataIO
import TestSupport
import Solvers

/// The built `coembed` executable: the test bundle sits in the build products folder beside it.
func coembedBinary() throws -> URL {
    let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("coembed"),
                      Bundle.main.bundleURL.appendingPathComponent("coembed")]
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                        "coembed binary not found near \(Bundle.main.bundleURL.path)")
}

/// Runs `coembed` with arguments from the package root; returns exit code, stdout, stderr.
func coembed(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
    var dir = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { dir = dir.deletingLastPathComponent() } // package root
    let binary = try coembedBinary()
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = dir
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite(.serialized) struct CLITests {
    @Test func infoDescribesTheBundledData() throws {
        let r = try coembed(["info"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("users: 610"))
        #expect(r.out.contains("items: 9724"))
        #expect(r.out.contains("likes: 48580"))
    }

    /// The BLAS core check restarts `coembed` once with OPENBLAS_CORETYPE set when OpenBLAS picked
    /// generic kernels on an AVX-512 CPU (Debian's 0.3.21 does on the Xeon VMs this runs on), and
    /// never overrides the user's value.
    @Test func infoReportsTheBLASCoreAndKeepsTheUsersChoice() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["COEMBED_BLAS_RESTARTED"] = nil
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set((cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? "").split(separator: " ").map(String.init))
        let r = try coembed(["info", "--verbose"], environment: environment)
        #expect(r.status == 0, "\(r.err)")
        let line = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("BLAS: OpenBLAS") }, "\(r.out)")
        if ["avx512f", "avx512bw", "avx512vl"].allSatisfy(flags.contains) {
            #expect(line.contains("core SkylakeX") || line.contains("core Cooperlake") || line.contains("core Sapphirerapids"), "\(line)")
        }
        // At most one restart message, and only when a restart happened.
        #expect(r.err.components(separatedBy: "restarting with").count <= 2, "\(r.err)")
        environment["OPENBLAS_CORETYPE"] = "Haswell"
        let user = try coembed(["info", "--verbose"], environment: environment)
        #expect(user.status == 0, "\(user.err)")
        #expect(user.out.contains("core Haswell"), "\(user.out)")
        #expect(!user.err.contains("restarting"), "\(user.err)")
    }

    @Test(arguments: [
        (["solve", "--dim", "0"], "--dim"),
        (["solve", "--dim", "9725", "--solver", "eigen"], "1 ≤ D ≤ M = 9724"),
        (["solve", "--solver", "no-such-solver"], "unknown solver 'no-such-solver'"),
        (["solve", "--colour", "red"], "unknown option '--colour'"),
        (["solve", "--ratings", "/nonexistent/ratings.csv"], "/nonexistent/ratings.csv"),
        (["evaluate", "--embedding", "/nonexistent/v.npy"], "/nonexistent/v.npy"),
        (["solve", "--ratings", "a.csv", "--matrix", "b.npy"], "exclusive"),
        (["compare", "--solvers", "eigen,sgns:colour=red"], "'colour' cannot be set per solver"),
        (["compare", "--solvers", "sgns:noise-power=-1"], "noise-power=-1"),
        (["compare", "--solvers", "sgns:pairs"], "key=value"),
        (["compare", "--solvers", "lbfgs,lbfgs"], "same run twice"),
        (["compare", "--solvers", "eigen:similarity=euclid"], "similarity=euclid"),
        // One range check (SolverSettings.validate) for flags and per-solver settings, before any work.
        (["solve", "--solver", "sgns", "--share-negatives", "2000"], "--share-negatives must be 0 (off) … 1024"),
        (["compare", "--solvers", "eigen,in-batch:in-batch-negatives=300"], "in-batch-negatives must be 'full' or 1 ≤ NEG < batch-size"),
        (["solve", "--solver", "impute", "--acceleration-memory", "0"], "--acceleration-memory must be 1 … 50"),
        (["compare", "--solvers", "eigen,impute:acceleration=aitken"], "acceleration=aitken"),
        (["compare", "--time-to", "1e-3,0"], "--time-to: a tolerance is a relative gap in (0, 1), got 0.0"),
        (["compare", "--time-to", "1e-3,,1e-6"], "--time-to: '' is not a number"),
    ])
    func badOptionsGiveOneClearErrorAndNonZeroExit(arguments: [String], mention: String) throws {
        let r = try coembed(arguments)
        #expect(r.status != 0)
        #expect(r.err.contains(mention), "stderr: \(r.err)")
        #expect(r.out.isEmpty)
    }

    @Test func solveWritesEmbeddingTraceAndSummary() throws {
        let dir = try TemporaryDirectory()
        let npy = dir.file("v.npy").path, trace = dir.file("t.json").path
        let r = try coembed(["solve", "--solver", "lbfgs", "--dim", "8", "--max-iterations", "5", "--output", npy,
                             "--trace", trace, "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        let summary = try #require(r.out.split(separator: "\n").last)
        #expect(summary.hasPrefix("solver=lbfgs D=8"))
        let printed = try #require(Double(summary.split(separator: "loss=").last!))
        let v = try NPY.read(URL(fileURLWithPath: npy))
        #expect(v.rows == 9724 && v.columns == 8)
        // evaluate recomputes the same loss from the file.
        let e = try coembed(["evaluate", "--embedding", npy])
        #expect(e.status == 0, "\(e.err)")
        let evaluated = try #require(Double(e.out.split(separator: "loss=").last!.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(evaluated == printed)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trace))) as? [String: Any]
        #expect((json?["trace"] as? [Any])?.count == 6)
    }

    /// impute used to drop the start it was given (iteration 0 was the eigen loss whatever --init
    /// said); its iteration 0 is now the start named by --init.
    @Test func imputeStartsFromTheGivenInit() throws {
        let dir = try TemporaryDirectory()
        var firstLoss: [String: Double] = [:]
        for start in ["eigen", "random"] {
            let trace = dir.file("\(start).json").path
            let r = try coembed(["solve", "--solver", "impute", "--init", start, "--dim", "4", "--max-iterations", "1",
                                 "--trace", trace, "--quiet"])
            #expect(r.status == 0, "\(r.err)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trace))) as? [String: Any]
            let entries = try #require(json?["trace"] as? [[String: Any]])
            firstLoss[start] = try #require(entries.first?["loss"] as? Double)
        }
        let eigen = try #require(firstLoss["eigen"]), random = try #require(firstLoss["random"])
        #expect(random > 10 * eigen, "random start \(random), eigen start \(eigen)")
    }

    /// Help lists the data, solver and output options first, then every registered method with
    /// its generated options.
    @Test func solveHelpListsEveryMethodAfterTheOtherOptions() throws {
        let r = try coembed(["solve", "--help"])
        #expect(r.status == 0, "\(r.err)")
        let text = r.out
        let methods = try #require(text.range(of: "METHOD OPTIONS"))
        for option in ["--ratings", "--solver", "--output"] {
            #expect(try #require(text.range(of: option)).lowerBound < methods.lowerBound, "\(option)")
        }
        for method in MethodRegistry.all {
            #expect(try #require(text.range(of: "  \(method.name) — ")).lowerBound > methods.lowerBound, "\(method.name)")
            for option in method.settings.options { #expect(text.contains("--\(option.name)") || text.contains("--[no-]\(option.name)")) }
        }
    }

    @Test func sameSeedSameBytesFromTheCommandLine() throws {
        let dir = try TemporaryDirectory()
        for name in ["a.npy", "b.npy"] {
            let r = try coembed(["solve", "--solver", "adam", "--init", "random", "--seed", "7", "--dim", "4",
                                 "--max-iterations", "3", "--output", dir.file(name).path, "--quiet"])
            #expect(r.status == 0, "\(r.err)")
        }
        #expect(try Data(contentsOf: dir.file("a.npy")) == Data(contentsOf: dir.file("b.npy")))
    }

    /// The whole quality path on the bundled data: hold-out, HitRate@K with the same -k flag as
    /// solve/evaluate, popularity and EASE rows (EASE inverts a 9724 × 9724 matrix: ~10 s).
    @Test func compareWithHoldoutOnTheBundledData() throws {
        let dir = try TemporaryDirectory()
        let r = try coembed(["compare", "--solvers", "eigen", "--dim", "4", "--holdout", "-k", "5",
                             "--report", dir.url.path, "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        let report = try String(contentsOf: dir.file("report.md"), encoding: .utf8)
        #expect(report.contains("HitRate@5"))
        #expect(report.contains("popularity (reference)") && report.contains("EASE"))
        #expect(r.out.contains("deliverable:") && r.out.contains("(9724, 4)"))
    }

    /// Per-solver overrides: one solver twice with different settings, each row labelled by them.
    @Test func compareRunsOneSolverWithTwoSettings() throws {
        let dir = try TemporaryDirectory()
        let r = try coembed(["compare", "--solvers", "lbfgs:max-iterations=2,lbfgs:max-iterations=6:memory=3", "--dim", "4",
                             "--tolerance", "0", "--time-to", "1e-4,1e-2", "--report", dir.url.path, "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("lbfgs (max-iterations=2): iterations=2 "), "\(r.out)")
        #expect(r.out.contains("lbfgs (max-iterations=6, memory=3): iterations=6 "), "\(r.out)")
        let csv = try String(contentsOf: dir.file("results.csv"), encoding: .utf8)
        #expect(csv.contains("lbfgs (max-iterations=6, memory=3)"))
        // The report names the BLAS kernels its timings were measured with.
        let report = try String(contentsOf: dir.file("report.md"), encoding: .utf8)
        #expect(report.contains(", OpenBLAS core "), "\(report)")
        // --time-to: the table's "time to …" columns, coarsest first.
        #expect(csv.hasPrefix("solver,init,iterations,seconds,final loss,gap to best,time to 1e-2 (s),time to 1e-4 (s),termination\r\n"), "\(csv)")
    }

    @Test func neighborsListsCandidatesForAnAmbiguousTitle() throws {
        let dir = try TemporaryDirectory()
        let npy = dir.file("v.npy").path
        #expect(try coembed(["solve", "--solver", "eigen", "--dim", "16", "--output", npy, "--quiet"]).status == 0)
        let ambiguous = try coembed(["neighbors", "--embedding", npy, "--item", "matrix"])
        #expect(ambiguous.status != 0)
        #expect(ambiguous.err.contains("Animatrix, The (2003)"))
        let r = try coembed(["neighbors", "--embedding", npy, "--item", "Toy Story (1995)", "-k", "3"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n").count == 4)
    }

    /// Outputs are checked before the data is read: an unknown format fails at once, without
    /// solving; missing folders are created; a repeated --output writes every format with
    /// items.csv beside each.
    @Test func outputsAreCheckedFirstAndMayBeRepeated() throws {
        let dir = try TemporaryDirectory()
        let bad = try coembed(["solve", "--solver", "eigen", "--dim", "4", "--output", dir.file("v.parquet").path, "--ratings", "/nonexistent.csv"])
        #expect(bad.status != 0 && bad.err.contains("unknown extension '.parquet'"), "\(bad.err)")
        let npy = dir.url.appendingPathComponent("a/b/v.npy").path, w2v = dir.url.appendingPathComponent("c/v.w2v").path
        let r = try coembed(["solve", "--solver", "eigen", "--dim", "4", "--output", npy, "--output", w2v, "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        for path in [npy, w2v, dir.url.appendingPathComponent("a/b/items.csv").path, dir.url.appendingPathComponent("c/items.csv").path] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path) missing")
        }
        let twice = try coembed(["solve", "--solver", "eigen", "--output", npy, "--output", npy])
        #expect(twice.status != 0 && twice.err.contains("given twice"))
    }

    /// A matrix input gets variables.csv (named from the CSV header), not a MovieLens item table.
    @Test func matrixInputWritesVariablesAndFactorPrintsTheTable() throws {
        let dir = try TemporaryDirectory()
        let r = "x1,x2,x3,y1,y2,y3\n1,.56,.48,.12,.1,.08\n.56,1,.42,.1,.12,.1\n.48,.42,1,.08,.1,.12\n.12,.1,.08,1,.49,.42\n.1,.12,.1,.49,1,.42\n.08,.1,.12,.42,.42,1\n"
        try r.write(to: dir.file("R.csv"), atomically: true, encoding: .utf8)
        let solve = try coembed(["solve", "--matrix", dir.file("R.csv").path, "--dim", "2", "--output", dir.file("v.npy").path, "--quiet"])
        #expect(solve.status == 0, "\(solve.err)")
        #expect(solve.err.contains("coembed factor"))
        let variables = try String(contentsOf: dir.file("variables.csv"), encoding: .utf8)
        #expect(variables == "row,variable\n0,x1\n1,x2\n2,x3\n3,y1\n4,y2\n5,y3\n")
        #expect(!FileManager.default.fileExists(atPath: dir.file("items.csv").path))
        let factor = try coembed(["factor", "--matrix", dir.file("R.csv").path, "--factors", "2", "--rotate", "promax"])
        #expect(factor.status == 0, "\(factor.err)")
        for text in ["MR1", "h2", "u2", "com", "SS loadings", "Proportion Var", "Cumulative Var", "With factor correlations of", "RMSR", "masked loss"] {
            #expect(factor.out.contains(text), "factor output lacks \(text):\n\(factor.out)")
        }
        #expect(factor.out.contains("\nx1 "))
    }

    @Test func reportFolderOfAnEarlierRunIsRefusedUnlessForced() throws {
        let dir = try TemporaryDirectory()
        try "keep".write(to: dir.file("notes.txt"), atomically: true, encoding: .utf8)
        try "old".write(to: dir.file("trace-old-solver.csv"), atomically: true, encoding: .utf8)
        let refused = try coembed(["compare", "--solvers", "eigen", "--dim", "2", "--report", dir.url.path, "--quiet"])
        #expect(refused.status != 0 && refused.err.contains("holds an earlier report") && refused.err.contains("--force"), "\(refused.err)")
        let forced = try coembed(["compare", "--solvers", "eigen", "--dim", "2", "--report", dir.url.path, "--quiet", "--force"])
        #expect(forced.status == 0, "\(forced.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("trace-old-solver.csv").path))
        #expect(FileManager.default.fileExists(atPath: dir.file("notes.txt").path))
        #expect(FileManager.default.fileExists(atPath: dir.file("trace-eigen.csv").path))
    }

    @Test func versionHelpExamplesAndQuietProgressOffATerminal() throws {
        let version = try coembed(["--version"])
        #expect(version.status == 0 && !version.out.isEmpty)
        for command in ["info", "solve", "compare", "evaluate", "neighbors", "holdout", "factor"] {
            let help = try coembed([command, "--help"])
            #expect(help.out.contains("Examples:") && help.out.contains("coembed \(command)"), "\(command) --help has no examples")
        }
        // stderr is a pipe here: one line for the solver, not a line every few seconds.
        let r = try coembed(["solve", "--solver", "lbfgs", "--dim", "4", "--max-iterations", "3"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.split(separator: "\n").filter { $0.hasPrefix("lbfgs  iteration") }.count == 1, "\(r.err)")
    }
}
