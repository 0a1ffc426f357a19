import ArgumentParser
import Foundation
import Solvers
import Workflows

/// --checkpoint, --checkpoint-every and --resume of `solve`.
struct CheckpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write a snapshot of the run to this file (atomically) every --checkpoint-every seconds and when the run stops, so that --resume can continue it.", valueName: "file"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Seconds between snapshots (0 = after every iteration).", valueName: "seconds"))
    var checkpointEvery: Double = 60

    @Option(help: ArgumentHelp("Continue the run saved in this checkpoint. The saved run's options are reused; options given again may only change --max-iterations, --time-limit and where results go (anything else is refused).", valueName: "file"))
    var resume: String?

    func validate() throws {
        guard checkpointEvery >= 0, checkpointEvery.isFinite else {
            throw ValidationError("--checkpoint-every must be ≥ 0 seconds, got \(checkpointEvery)")
        }
        if let resume, !FileManager.default.isReadableFile(atPath: resume) {
            throw ValidationError("--resume: cannot read '\(resume)'")
        }
    }

    var isActive: Bool { checkpoint != nil || resume != nil }

    /// Options that neither shape a run nor are recorded with it: the checkpoint's own, where
    /// the results go, and how chatty the run is. The value each takes (nil for flags).
    static let outsideTheRun: [String: Bool] = [
        "--checkpoint": true, "--checkpoint-every": true, "--resume": true, "--output": true, "--trace": true, "--quiet": false,
    ]

    /// The arguments of `solve` that describe the run (the others removed).
    static func runArguments(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var k = 0
        while k < arguments.count {
            let a = arguments[k]
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if let takesValue = outsideTheRun[name] {
                k += takesValue && !a.contains("=") ? 2 : 1
                continue
            }
            out.append(a)
            k += 1
        }
        return out
    }

    /// The arguments after `solve` on this process's command line.
    static var commandLineArguments: [String] {
        let all = Array(CommandLine.arguments.dropFirst())
        guard let index = all.firstIndex(of: "solve") else { return all }
        return Array(all[(index + 1)...])
    }

    /// The saved run's arguments, which a resume starts from: options given on the command line
    /// come after them and win (and are then checked against the snapshot like any other).
    func savedArguments(record: CheckpointRecord) throws -> [String] {
        guard record["app.arguments"] != nil else { return [] }
        let text = try record.text("app.arguments")
        return text.isEmpty ? [] : text.components(separatedBy: "\u{0}")
    }

    func loadResume() throws -> CheckpointRecord? {
        try resume.map { try CheckpointRecord.read(from: URL(fileURLWithPath: $0)) }
    }

    /// The driver's checkpoint policy for `method` with `settings`; nil without checkpoint options.
    func policy(method: RegisteredMethod, settings: SolverSettings, commandLine: [String],
                resume record: CheckpointRecord?) -> CheckpointPolicy? {
        guard isActive else { return nil }
        // The iteration and time budgets may change on a resume (run longer); everything else
        // that shapes the trajectory must not. A sampled run's epochs are its learning-rate
        // horizon, so they stay in.
        var identity = settings
        identity.maxIterations = 0
        identity.timeLimit = nil
        var app = CheckpointRecord()
        app.set("arguments", Self.runArguments(commandLine).joined(separator: "\u{0}"))
        app.set("solver", method.name)
        return CheckpointPolicy(file: checkpoint.map { URL(fileURLWithPath: $0) }, interval: checkpointEvery,
                                resume: record, options: method.fingerprint(of: identity), applicationFields: app,
                                write: CheckpointFile.write)
    }
}
