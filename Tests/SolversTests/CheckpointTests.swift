import Testing
import Foundation
import LinearAlgebra
import TestSupport
@testable import Solvers

/// Checkpoint and resume: a run stopped after k iterations and resumed from its snapshot ends
/// with the same bytes as a run that was never stopped; snapshots of other runs are refused.
@Suite(.serialized) struct CheckpointTests {
    static let interactions = plantedClusters(users: 120, size: 12, perUser: 5, noise: 0.2, seed: 11)

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("coembed-ckpt-\(getpid())-\(UUID().uuidString)-\(name)")
    }

    static func method(_ name: String) throws -> RegisteredMethod { try MethodRegistry.named(name) }

    static func settings(_ method: RegisteredMethod, iterations: Int, start: InitialPoint) throws -> SolverSettings {
        var s = SolverSettings(dimension: 4)
        s.seed = 7
        s.maxIterations = iterations
        s.relativeTolerance = 0
        s.initialPoint = start
        s[AlternatingImputation.Settings.self].inner = .exact
        if method.family == .sampled {
            try s.set("epochs", "\(iterations)", for: method)
            try s.set("threads", "1", for: method)
            try s.set("pairs", "3", for: method)
        }
        if method.name == InBatchNegatives.methodName {
            s[InBatchNegatives.Settings.self].batchSize = 16
            s[InBatchNegatives.Settings.self].correction = .streaming(rate: 0.1)
        }
        return s
    }

    /// The policy `coembed solve` makes: the fingerprint of the settings without the iteration
    /// budget (a sampled run's epochs, its SGD schedule's horizon, stay in).
    static func policy(_ method: RegisteredMethod, _ settings: SolverSettings, file: URL?,
                       resume: CheckpointRecord? = nil) -> CheckpointPolicy {
        var identity = settings
        identity.maxIterations = 0
        return CheckpointPolicy(file: file, interval: 0, resume: resume, options: method.fingerprint(of: identity),
                                write: { data, url in try data.write(to: url, options: .atomic) })
    }

    /// Every registered method that checkpoints, from a random start where it takes one (its own
    /// start otherwise), and a few settings that change what is saved.
    static let resumeCases: [(String, InitialPoint)] =
        MethodRegistry.all.filter(\.checkpoints).map { ($0.name, $0.startRequirement == .none ? .eigen : .random(scale: 0.3)) }
        + [("lbfgs", .eigen), ("impute:squarem", .random(scale: 0.3)), ("impute:none", .random(scale: 0.3)),
           ("lbfgs:pair-precision=single", .random(scale: 0.3)), ("newton", .eigen)]

    @Test func everyIterativeMethodCheckpoints() {
        // A new iterative method that forgets `CheckpointableMethod` would silently drop out of
        // the resume test above; only the direct eigen method has nothing to save.
        #expect(MethodRegistry.all.filter { !$0.checkpoints }.map(\.name) == [EigenMethod.methodName])
    }

    @Test(arguments: resumeCases)
    func resumedRunIsBitIdenticalToAnUninterruptedOne(name: String, start: InitialPoint) throws {
        let problem = try Problem(interactions: Self.interactions)
        let total = 9, stopAt = 4
        // "impute:squarem": impute with that acceleration (the default is Anderson).
        let parts = name.split(separator: ":").map(String.init)
        let method = try Self.method(parts[0])
        var full = try Self.settings(method, iterations: total, start: start)
        // "lbfgs:pair-precision=single": any setting by name.
        if parts.count == 2 {
            let setting = parts[1].split(separator: "=").map(String.init)
            try full.set(setting.count == 2 ? setting[0] : "acceleration", setting.last!, for: method)
        }
        let uninterrupted = try method.run(problem: problem, settings: full)
        #expect(uninterrupted.iterations == total, "\(uninterrupted.termination)")

        // The first part: the same settings (same schedule horizon), stopped at `stopAt` iterations.
        let file = Self.temporaryFile("\(name.replacingOccurrences(of: ":", with: "-")).ckpt")
        defer { try? FileManager.default.removeItem(at: file) }
        var first = full
        first.maxIterations = stopAt
        let firstPolicy = Self.policy(method, full, file: file)
        let stopped = try method.run(problem: problem, settings: first,
                                     control: RunControl(checkpointing: firstPolicy), callback: { $0.iteration < stopAt })
        #expect(stopped.iterations == stopAt)
        let record = try CheckpointRecord.read(from: file)
        #expect(try record.int("driver.iteration") == stopAt)

        let resumed = try method.run(problem: problem, settings: full,
                                     control: RunControl(checkpointing: Self.policy(method, full, file: nil, resume: record)))
        #expect(resumed.iterations == total)
        #expect(resumed.trace.map(\.iteration) == Array(0...total))
        #expect(resumed.embedding.storage.map(\.bitPattern) == uninterrupted.embedding.storage.map(\.bitPattern),
                "\(name) from \(start): resumed embedding differs")
        #expect(resumed.finalLoss.bitPattern == uninterrupted.finalLoss.bitPattern)
        #expect(resumed.lossEvaluations == uninterrupted.lossEvaluations,
                "evaluation counts go on across a resume")
    }

    /// The resume must restore the method's state, not just V: dropping Adam's moments changes the result.
    @Test func resumeWithoutTheMethodStateWouldDiffer() throws {
        let problem = try Problem(interactions: Self.interactions)
        let adam = try Self.method("adam")
        let full = try Self.settings(adam, iterations: 8, start: .random(scale: 0.3))
        let uninterrupted = try adam.run(problem: problem, settings: full)
        let file = Self.temporaryFile("adam.ckpt")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try adam.run(problem: problem, settings: full, control: RunControl(checkpointing: Self.policy(adam, full, file: file)),
                         callback: { $0.iteration < 3 })
        var record = try CheckpointRecord.read(from: file)
        record["state.m"] = .doubles([Double](repeating: 0, count: problem.itemCount * 4))
        let resumed = try adam.run(problem: problem, settings: full,
                                   control: RunControl(checkpointing: Self.policy(adam, full, file: nil, resume: record)))
        #expect(resumed.embedding.storage != uninterrupted.embedding.storage)
    }

    @Test func snapshotsOfOtherRunsAreRefusedWithTheReason() throws {
        let problem = try Problem(interactions: Self.interactions)
        let lbfgs = try Self.method("lbfgs"), adam = try Self.method("adam")
        let settings = try Self.settings(lbfgs, iterations: 3, start: .random(scale: 0.3))
        let file = Self.temporaryFile("lbfgs.ckpt")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try lbfgs.run(problem: problem, settings: settings, control: RunControl(checkpointing: Self.policy(lbfgs, settings, file: file)))
        let record = try CheckpointRecord.read(from: file)

        func refusal(_ method: RegisteredMethod, _ problem: Problem, _ settings: SolverSettings) -> String {
            do {
                _ = try method.run(problem: problem, settings: settings,
                                   control: RunControl(checkpointing: Self.policy(method, settings, file: nil, resume: record)))
                return "accepted"
            } catch { return "\(error)" }
        }
        let otherData = try Problem(interactions: plantedClusters(users: 120, size: 12, perUser: 5, noise: 0.2, seed: 12))
        #expect(refusal(lbfgs, otherData, settings).contains("other data"))
        var otherOptions = settings
        otherOptions[LBFGS.Settings.self].memory = 7
        #expect(refusal(lbfgs, problem, otherOptions).contains("other options"))
        #expect(refusal(lbfgs, problem, otherOptions).contains("memory: 7"))
        #expect(refusal(adam, problem, settings).contains("solver lbfgs"))
        var otherSeed = settings
        otherSeed.seed = 8
        #expect(refusal(lbfgs, problem, otherSeed).contains("seed"))
        #expect(refusal(lbfgs, problem, settings) == "accepted")
    }

    @Test func damagedFilesAreRefused() throws {
        var r = CheckpointRecord()
        r.set("a", 3)
        r.set("b", [1.5, -.infinity, .nan, 0])
        r.set("c", "text ✓")
        r.set("d", UInt64.max)
        let bytes = r.encoded()
        let back = try CheckpointRecord(decoding: bytes, file: "x")
        #expect(back.fields.map(\.key) == ["a", "b", "c", "d"])
        #expect(try back.doubles("b").map(\.bitPattern) == [1.5, -.infinity, .nan, 0].map(\.bitPattern))
        #expect(try back.text("c") == "text ✓")
        #expect(try back.uint("d") == .max)

        func error(_ b: [UInt8]) -> String {
            do { _ = try CheckpointRecord(decoding: b, file: "f.ckpt"); return "accepted" } catch { return "\(error)" }
        }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x10
        #expect(error(flipped).contains("checksum mismatch"))
        #expect(error(Array(bytes.dropLast(3))).contains("truncated"))
        var version = bytes
        version[8] = 9
        #expect(error(version).contains("version 9"))
        #expect(error(Array("hello world, not a checkpoint".utf8)).contains("not a coembed checkpoint"))
    }

    @Test(arguments: MethodRegistry.all.filter { !$0.checkpoints })
    func directMethodsHaveNothingToCheckpoint(method: RegisteredMethod) throws {
        let problem = try Problem(interactions: Self.interactions)
        let settings = try Self.settings(method, iterations: 3, start: .eigen)
        #expect(throws: CheckpointError.self) {
            _ = try method.run(problem: problem, settings: settings,
                               control: RunControl(checkpointing: Self.policy(method, settings, file: Self.temporaryFile("e"))))
        }
    }

    /// The deadline is honoured inside an epoch: one epoch here takes far longer than the limit.
    @Test(arguments: MethodRegistry.all.filter { $0.family == .sampled })
    func timeLimitIsHonouredWithinAnEpoch(method: RegisteredMethod) throws {
        let problem = try Problem(interactions: plantedClusters())
        var s = try Self.settings(method, iterations: 3, start: .eigen)
        // One epoch here takes minutes (debug build); with the deadline polled per batch the run
        // ends within the bound even on a loaded machine.
        try s.set("pairs", method.name == InBatchNegatives.methodName ? "3000" : "100000", for: method)
        s.timeLimit = 0.3
        let clock = ContinuousClock()
        var result: SolverResult!
        let took = try clock.measure { result = try method.run(problem: problem, settings: s) }
        #expect(result.termination == .timeLimit)
        #expect(result.iterations <= 1)
        #expect(took < .seconds(15), "\(method.name) ran \(took) with a 0.3 s limit")
    }

    /// A stop request from another thread (a signal handler) ends a long epoch early; the
    /// unfinished epoch is not checkpointed.
    @Test func interruptionEndsAnEpochEarlyAndKeepsTheLastCompleteSnapshot() throws {
        let problem = try Problem(interactions: plantedClusters())
        let sgns = try Self.method("sgns")
        var s = try Self.settings(sgns, iterations: 5, start: .eigen)
        try s.set("pairs", "100000", for: sgns)
        let stop = StopToken()
        let file = Self.temporaryFile("sgns.ckpt")
        defer { try? FileManager.default.removeItem(at: file) }
        // The signal comes 0.3 s into the first epoch (the callback hears the start just before
        // it), not 0.3 s after a start that a loaded machine may take longer to build.
        let result = try sgns.run(problem: problem, settings: s,
                                  control: RunControl(stop: stop, checkpointing: Self.policy(sgns, s, file: file)),
                                  callback: { entry in
                                      if entry.iteration == 0 {
                                          DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { stop.requestStop(.signal(SIGINT)) }
                                      }
                                      return true
                                  })
        #expect(result.termination == .interrupted)
        // The epoch in progress stopped within a batch: it trained far fewer pairs than a whole
        // epoch (about 100000 per like: 99.7 % of that when complete), however slow the machine
        // (no wall-clock bound to flake under load).
        let likes = Double(plantedClusters().nonzeroCount)
        let lastEpochPairs = try #require(result.trace.last?.extras["pairs"])
        #expect(result.trace.count >= 2 && lastEpochPairs > 0 && lastEpochPairs < 0.5 * 100_000 * likes,
                "last epoch trained \(lastEpochPairs) of about \(100_000 * likes) pairs")
        #expect(result.embedding.isFinite)
        #expect(!FileManager.default.fileExists(atPath: file.path), "a cut-short epoch must not be checkpointed")
        #expect(stop.requestStop(.signal(SIGTERM)) == false, "a second request reports that one was already made")
    }
}
