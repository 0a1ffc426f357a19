import Testing
import Foundation
import DataIO
import Solvers
import TestSupport

/// End to end: signals stop a run with its files written and exit 128 + signal; a run killed
/// with SIGKILL at seeded random iterations and resumed from its checkpoint ends with the same
/// bytes as a run never stopped.
@Suite(.serialized) struct CheckpointCLITests {
    /// A folder with a small ratings file (80 users, 40 items, likes only).
    static func workspace() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coembed-ckpt-cli-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 5)
        var csv = "userId,movieId,rating,timestamp\n"
        for u in 1...80 {
            var items = Set<Int>()
            while items.count < 8 { items.insert(1 + Int(rng.next() % 40)) }
            for i in items.sorted() { csv += "\(u),\(i),5.0,0\n" }
        }
        try Data(csv.utf8).write(to: dir.appendingPathComponent("ratings.csv"))
        return dir
    }

    static var binary: URL {
        get throws {
            let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("coembed"),
                              Bundle.main.bundleURL.appendingPathComponent("coembed")]
            return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) })
        }
    }

    /// Starts `coembed` in `dir` (stdout and stderr to files there), one BLAS thread.
    static func launch(_ arguments: [String], in dir: URL, tag: String) throws -> Process {
        let p = Process()
        p.executableURL = try binary
        p.arguments = arguments
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        p.environment = env
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("\(tag).out").path, contents: nil)
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("\(tag).err").path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: dir.appendingPathComponent("\(tag).out"))
        p.standardError = try FileHandle(forWritingTo: dir.appendingPathComponent("\(tag).err"))
        try p.run()
        return p
    }

    static func text(_ dir: URL, _ name: String) -> String {
        (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// The iteration saved in the checkpoint (nil while there is none).
    static func savedIteration(_ file: URL) -> Int? {
        guard let r = try? CheckpointRecord.read(from: file) else { return nil }
        return try? r.int("driver.iteration")
    }

    /// Waits until the checkpoint holds at least `iteration` (or the process ended).
    static func waitForCheckpoint(_ file: URL, iteration: Int, of p: Process, timeout: Double = 120) {
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning, Date() < deadline {
            if let k = savedIteration(file), k >= iteration { return }
            usleep(5_000)
        }
    }

    static func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    @Test(arguments: [
        ["--solver", "adam", "--adam-schedule", "constant", "--init", "random", "--max-iterations", "300"],
        ["--solver", "lbfgs", "--init", "random", "--preconditioning", "none", "--max-iterations", "120"],
        ["--solver", "sgns", "--threads", "1", "--epochs", "60", "--pairs", "20"],
    ])
    func killedAndResumedRunEndsWithTheSameBytes(solverArguments: [String]) throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["solve", "--ratings", "ratings.csv", "--dim", "4", "--seed", "3", "--tolerance", "0", "--quiet"] + solverArguments
        let full = try Self.launch(common + ["--output", "full.npy"], in: dir, tag: "full")
        full.waitUntilExit()
        #expect(full.terminationStatus == 0, "\(Self.text(dir, "full.err"))")
        let expected = try Self.bytes(dir.appendingPathComponent("full.npy"))

        // Kill -9 twice at seeded random iterations, resuming in between, then let it finish.
        var rng = SplitMix64(seed: UInt64(solverArguments.count * 31 + solverArguments[1].count))
        let checkpoint = dir.appendingPathComponent("run.ckpt")
        var p = try Self.launch(common + ["--output", "part.npy", "--checkpoint", "run.ckpt", "--checkpoint-every", "0"],
                                in: dir, tag: "first")
        var killedAt: [Int] = []
        for round in 0..<2 {
            let target = (killedAt.last ?? 0) + 2 + Int(rng.next() % 15)
            Self.waitForCheckpoint(checkpoint, iteration: target, of: p)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal, "round \(round): the run ended before it was killed")
            let saved = try #require(Self.savedIteration(checkpoint), "no readable checkpoint after kill -9")
            killedAt.append(saved)
            p = try Self.launch(["solve", "--resume", "run.ckpt", "--checkpoint", "run.ckpt", "--checkpoint-every", "0",
                                 "--output", "resumed.npy", "--quiet"], in: dir, tag: "resume\(round)")
        }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(Self.text(dir, "resume1.err"))")
        #expect(killedAt[0] < killedAt[1], "killed at \(killedAt)")
        #expect(try Self.bytes(dir.appendingPathComponent("resumed.npy")) == expected,
                "resumed after kill -9 at iterations \(killedAt): bytes differ from the uninterrupted run")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.count <= 2, "temporary files of the killed writes: \(leftovers)")
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func signalStopsTheRunWritesItsFilesAndExits(signal: Int32, status: Int32) throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try Self.launch(["solve", "--ratings", "ratings.csv", "--dim", "4", "--solver", "adam", "--init", "random",
                                 "--adam-schedule", "constant", "--max-iterations", "100000000", "--tolerance", "0", "--quiet",
                                 "--output", "v.npy", "--trace", "trace.csv", "--checkpoint", "run.ckpt", "--checkpoint-every", "0"],
                                in: dir, tag: "run")
        Self.waitForCheckpoint(dir.appendingPathComponent("run.ckpt"), iteration: 5, of: p)
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == status, "\(Self.text(dir, "run.err"))")
        let out = Self.text(dir, "run.out")
        #expect(out.contains("termination=interrupted"), "\(out)")
        let v = try NPY.read(dir.appendingPathComponent("v.npy"))
        #expect(v.rows == 40 && v.columns == 4 && v.isFinite)
        let trace = Self.text(dir, "trace.csv").split(separator: "\n")
        let iterations = try #require(out.split(separator: " ").first { $0.hasPrefix("iterations=") }.flatMap { Int($0.dropFirst(11)) })
        #expect(trace.count == iterations + 2, "header + iterations 0…n")
        #expect(Self.savedIteration(dir.appendingPathComponent("run.ckpt")) == iterations, "the last snapshot is the stop")
    }

    @Test func checkpointOfOtherDataOrOptionsIsRefused() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Self.launch(["solve", "--ratings", "ratings.csv", "--dim", "4", "--solver", "lbfgs", "--init", "random",
                                   "--max-iterations", "3", "--quiet", "--checkpoint", "run.ckpt"], in: dir, tag: "run")
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "\(Self.text(dir, "run.err"))")
        var other = Self.text(dir, "ratings.csv")
        other += "81,1,5.0,0\n81,2,5.0,0\n"
        try Data(other.utf8).write(to: dir.appendingPathComponent("other.csv"))
        for (extra, mention) in [(["--ratings", "other.csv"], "other data"), (["--memory", "9"], "other options"),
                                 (["--solver", "adam"], "written by solver lbfgs"), (["--dim", "5"], "D = 4")] {
            let p = try Self.launch(["solve", "--resume", "run.ckpt", "--quiet"] + extra, in: dir, tag: "refused")
            p.waitUntilExit()
            #expect(p.terminationStatus != 0)
            #expect(Self.text(dir, "refused.err").contains(mention), "\(extra): \(Self.text(dir, "refused.err"))")
        }
        var damaged = try Self.bytes(dir.appendingPathComponent("run.ckpt"))
        damaged[damaged.count / 2] ^= 1
        try damaged.write(to: dir.appendingPathComponent("damaged.ckpt"))
        let p = try Self.launch(["solve", "--resume", "damaged.ckpt"], in: dir, tag: "damaged")
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        #expect(Self.text(dir, "damaged.err").contains("checksum mismatch"), "\(Self.text(dir, "damaged.err"))")
    }
}
