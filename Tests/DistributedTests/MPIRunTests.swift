import XCTest
import Foundation
import DataIO
import LinearAlgebra
import Solvers
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `coembed solve` under `mpirun` on loopback, compared with the same command in one process.
/// Every run is bounded: the mpirun process group is killed after `timeoutSeconds`.
final class MPIRunTests: XCTestCase {
    static let timeoutSeconds = 120.0

    /// MPI talks over loopback only; root is allowed (CI containers run as root).
    static let mpiEnvironment = [
        "OMPI_MCA_btl": "self,tcp", "OMPI_MCA_btl_tcp_if_include": "lo", "OMPI_MCA_oob_tcp_if_include": "lo",
        "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OPENBLAS_NUM_THREADS": "1",
        "OMPI_MCA_rmaps_base_oversubscribe": "1",
    ]

    var binary: String {
        let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("coembed"),
                          Bundle.main.bundleURL.appendingPathComponent("coembed")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }!.path
    }

    static func mpirunPath() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/mpirun"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs `arguments` (argv[0] a path) in its own process group with stdout/stderr to files;
    /// kills the whole group when it outlives the timeout. Returns status (nil on timeout).
    func run(_ arguments: [String], in dir: TemporaryDirectory) throws -> (status: Int32?, out: String, err: String) {
        let outURL = dir.file("stdout-\(UUID().uuidString)"), errURL = dir.file("stderr-\(UUID().uuidString)")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in Self.mpiEnvironment { environment[k] = v }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0)=\($1)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        XCTAssertEqual(rc, 0, "posix_spawn \(arguments[0])")
        let deadline = Date().addingTimeInterval(Self.timeoutSeconds)
        var status: Int32 = 0
        var finished = false
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { finished = true; break }
            usleep(50_000)
        }
        if !finished {
            kill(-pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS by hand (macros do not import).
        let exited = status & 0x7F == 0
        return (finished ? (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)) : nil, out, err)
    }

    func mpirun(_ np: Int, _ arguments: [String], in dir: TemporaryDirectory) throws -> (status: Int32?, out: String, err: String) {
        let mpirun = try XCTUnwrap(Self.mpirunPath())
        return try run([mpirun, "--oversubscribe", "-np", "\(np)", binary] + arguments, in: dir)
    }

    /// A MovieLens-style ratings file: `users` users, `items` movies of uneven popularity.
    func ratingsFile(in dir: TemporaryDirectory, users: Int = 70, items: Int = 90) throws -> String {
        var rng = SplitMix64(seed: 11)
        var lines = ["userId,movieId,rating,timestamp"]
        for u in 1...users {
            for m in 1...items where Double(rng.next() >> 11) * 0x1.0p-53 < 0.6 / Double(1 + m % 7) {
                lines.append("\(u),\(m * 3),\(Double(1 + rng.next() % 10) * 0.5),0")
            }
        }
        return try dir.write(lines.joined(separator: "\n") + "\n", to: "ratings.csv").path
    }

    func finalLoss(_ out: String) -> Double? {
        guard let field = out.split(separator: " ").first(where: { $0.hasPrefix("loss=") }) else { return nil }
        return Double(field.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func field(_ name: String, _ out: String) -> String? {
        out.split(separator: " ").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    override func setUpWithError() throws {
        try XCTSkipIf(Self.mpirunPath() == nil, "mpirun not installed (scripts/install-deps.sh installs openmpi-bin)")
    }

    func testSolversUnderMPIMatchOneProcess() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        // Every registered masked-loss method with its defaults (a new one is checked by being
        // registered), then settings that take other distributed paths.
        let runs: [[String]] = MethodRegistry.all.filter { $0.family == .maskedLoss }.map { ["--solver", $0.name, "--max-iterations", "8"] } + [
            ["--solver", "lbfgs", "--max-iterations", "40"],
            ["--solver", "eigen", "--eigen-backend", "arpack"],
            ["--solver", "gd", "--max-iterations", "10", "--init", "random"],
            ["--solver", "impute", "--max-iterations", "4", "--acceleration", "squarem"],
            ["--solver", "impute", "--max-iterations", "6", "--acceleration", "none", "--init", "random"],
            ["--solver", "impute", "--max-iterations", "4", "--impute-inner", "subspace"],
        ]
        for args in runs {
            let common = ["solve", "--ratings", ratings, "--dim", "6", "--quiet"] + args
            let single = try run([binary] + common + ["--output", dir.file("one.npy").path], in: dir)
            XCTAssertEqual(single.status, 0, single.err)
            let reference = try XCTUnwrap(finalLoss(single.out), single.out)
            let v1 = try NPY.read(dir.file("one.npy"))
            for np in [2, 3] {
                let out = dir.file("np\(np).npy")
                let r = try mpirun(np, common + ["--output", out.path], in: dir)
                XCTAssertEqual(r.status, 0, "np \(np) \(args): \(r.err)")
                let loss = try XCTUnwrap(finalLoss(r.out), "np \(np) \(args): \(r.out) \(r.err)")
                XCTAssertEqual(loss, reference, accuracy: 1e-10 * reference, "np \(np) \(args)")
                XCTAssertEqual(field("iterations", r.out), field("iterations", single.out), "np \(np) \(args)")
                XCTAssertEqual(r.out.split(separator: "\n").count, 1, "only rank 0 prints the summary: \(r.out)")
                let v = try NPY.read(out)
                XCTAssertEqual(v.rows, v1.rows)
                XCTAssertEqual(v.columns, v1.columns)
                let scale = v1.storage.map(abs).max() ?? 1
                let diff = zip(v.storage, v1.storage).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(diff, 1e-6 * scale, "np \(np) \(args): same embedding, same signs")
            }
        }
    }

    func testItemMapIsWrittenBesideTheEmbedding() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        try FileManager.default.createDirectory(at: dir.file("one"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.file("two"), withIntermediateDirectories: true)
        let common = ["solve", "--ratings", ratings, "--dim", "4", "--quiet", "--max-iterations", "3"]
        let single = try run([binary] + common + ["--output", dir.file("one/v.npy").path], in: dir)
        XCTAssertEqual(single.status, 0, single.err)
        let r = try mpirun(2, common + ["--output", dir.file("two/v.npy").path], in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        let expected = try String(contentsOf: dir.file("one/items.csv"), encoding: .utf8)
        XCTAssertEqual(try String(contentsOf: dir.file("two/items.csv"), encoding: .utf8), expected)
    }

    func testARankThatCannotReadItsInputStopsEveryRank() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        let missing = dir.file("missing.csv").path
        let mpirun = try XCTUnwrap(Self.mpirunPath())
        let common = ["solve", "--dim", "4", "--quiet", "--max-iterations", "5"]
        // MPMD launch: rank 1 (of 3) is handed a file that does not exist.
        let r = try run([mpirun, "--oversubscribe", "-np", "1", binary] + common + ["--ratings", ratings]
                        + [":", "-np", "1", binary] + common + ["--ratings", missing]
                        + [":", "-np", "1", binary] + common + ["--ratings", ratings], in: dir)
        let status = try XCTUnwrap(r.status, "mpirun hung (killed after \(Self.timeoutSeconds) s): \(r.err)")
        XCTAssertNotEqual(status, 0)
        XCTAssertEqual(r.err.components(separatedBy: "missing.csv").count - 1, 1, "one message naming the file: \(r.err)")
        XCTAssertTrue(r.err.contains("rank 1"), r.err)
        XCTAssertFalse(r.out.contains("loss="), r.out)
    }

    func testTheTimeLimitStopsEveryRankAfterTheSameIteration() throws {
        // A smoke test of a timed run end to end (the ranks' clocks rarely disagree by enough to
        // split an iteration here; ThreadDistributionTests checks that rank 0 decides).
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir, users: 90, items: 400)
        let r = try mpirun(3, ["solve", "--ratings", ratings, "--dim", "8", "--quiet", "--solver", "adam",
                               "--max-iterations", "1000000", "--tolerance", "0", "--time-limit", "1.5"], in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(field("termination", r.out), "timeLimit", r.out)
    }

    func testOnlySolveRunsUnderMPIRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try mpirun(2, ["info"], in: dir)
        XCTAssertNotEqual(try XCTUnwrap(r.status, "mpirun hung"), 0)
        XCTAssertEqual(r.err.components(separatedBy: "only `coembed solve` runs distributed").count - 1, 1, r.err)
    }

    func testWithoutMPIRunNothingChanges() throws {
        // A plain process never initialises MPI: no MPI variables, the usual single summary line.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try ratingsFile(in: dir)
        let r = try run([binary, "solve", "--ratings", ratings, "--dim", "4", "--quiet", "--max-iterations", "3"], in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(r.err.contains("MPI"), r.err)
    }
}
