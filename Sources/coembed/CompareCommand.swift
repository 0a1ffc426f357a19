import ArgumentParser
import Foundation
import Reporting
import Solvers
import Evaluation
import Workflows

extension Similarity: ExpressibleByArgument {}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run several solvers on one problem and write a report (Markdown, CSV, LaTeX, SVG), traces and embeddings.",
        discussion: """
            Examples:
              coembed compare --dim 300 --time-limit 20 --report out/demo
              coembed compare --solvers eigen,lbfgs,sgns,in-batch --holdout --report out/quality
              coembed compare --solvers "sgns,sgns:pairs=10:noise-power=0.75" --holdout --report out/sgns --force
            """, helpNames: [])

    @OptionGroup var data: DataOptions
    @OptionGroup var options: RunOptions

    @Option(help: ArgumentHelp(
        "Comma-separated solvers: \(MethodRegistry.names.joined(separator: ",")).",
        discussion: "A solver may carry its own settings after colons, e.g. sgns:pairs=all:noise-power=0 (keys: the long option names); the same solver can then appear twice with different settings."))
    var solvers: String = MethodRegistry.defaultComparison.map(\.name).joined(separator: ",")

    @Option(help: ArgumentHelp("Folder for report.md, results.csv/.tex, convergence.svg, traces and embeddings.", valueName: "folder"),
            completion: .directory)
    var report: String = "out/report"

    @Flag(help: "Replace the files of an earlier report in --report (Coembed's own files only; other files stay).")
    var force = false

    @Flag(inversion: .prefixedNo, help: "Add an Adam row from N(0, 1) (the torch.randn baseline) when adam is compared.")
    var randomBaseline = true

    @OptionGroup(title: "Recommendation quality (adds popularity and EASE reference rows)") var quality: QualityOptions

    @Option(help: "EASE ridge λ.")
    var easeLambda: Double = 200

    @Option(name: .customLong("time-to"),
            help: ArgumentHelp("Relative gaps to the best loss whose first crossing the table reports, one \"time to …\" column each (comma-separated, each in (0, 1)).",
                               valueName: "gaps"))
    var timeTo: String = Convergence.reportedTolerances.map(Convergence.text(tolerance:)).joined(separator: ",")

    @Flag(help: "Write the last finite iterate of a run whose loss became non-finite (never ranked; the exit status stays non-zero).")
    var keepLastFinite = false

    @OptionGroup var help: SettingsHelp

    var specs: [SolverSpec] {
        get throws {
            do { return try SolverSpec.list(solvers) } catch let error as ProblemError { throw ValidationError(error.optionMessage) }
        }
    }

    /// `--time-to` parsed and range-checked.
    var toleranceList: [Double] {
        get throws {
            let parts = timeTo.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let values = try parts.map { part -> Double in
                guard let value = Double(part) else { throw ValidationError("--time-to: '\(part)' is not a number") }
                return value
            }
            if let problem = Convergence.problem(with: values) { throw ValidationError("--time-to: \(problem)") }
            return values
        }
    }

    func validate() throws {
        try help.exitIfRequested(Self.self)
        let list = try specs
        guard !list.isEmpty else { throw ValidationError("--solvers is empty") }
        guard Set(list.map(\.label)).count == list.count else { throw ValidationError("--solvers names the same run twice") }
        guard easeLambda > 0, easeLambda.isFinite else { throw ValidationError("--ease-lambda must be positive") }
        _ = try toleranceList
        let base = try options.settings()
        do { _ = try list.map { try $0.run(base: base) } } catch let error as ProblemError { throw ValidationError(error.optionMessage) }
        try OutputPaths.checkReportFolder(report, inputs: OutputPaths.inputs(data: data, initialization: options.initialization))
    }

    func run() throws {
        let stop = StopToken()
        SignalHandling.install(stop)
        let directory = URL(fileURLWithPath: report)
        // The folder is checked (and an earlier report refused or cleared) before the data is read.
        do { try ReportFolder.prepare(directory, force: force) } catch let error as OutputError { throw CLIError(error.description) }
        let dataset = try data.load()
        var settings = try options.settings()
        // A comparison is a fixed budget per solver: without --time-limit each gets 60 s.
        settings.timeLimit = settings.timeLimit ?? 60
        var plan = ComparisonPlan(
            runs: try specs.map { try $0.run(base: settings) }, settings: settings, randomBaseline: randomBaseline,
            holdout: quality.holdout ? HoldoutOptions(seed: options.seed, k: quality.k, similarity: quality.similarity,
                                                      easeLambda: easeLambda) : nil,
            directory: directory, machine: Machine.description)
        plan.keepLastFinite = keepLastFinite
        plan.tolerances = try toleranceList
        var reporters: [String: ProgressReporter] = [:]
        let quiet = options.quiet, forced = options.progress
        let outcome = try Comparison.run(dataset: dataset, plan: plan, stop: stop, progress: { label, entry in
            // "running <solver>" (the log) is the line per solver when stderr is not a terminal.
            let reporter = reporters[label] ?? ProgressReporter(label: label, quiet: quiet, forced: forced, finishLine: false)
            reporters[label] = reporter
            reporter.update(entry)
            return true
        }, log: { message in
            reporters.values.forEach { $0.finish() }
            if !quiet { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
        })
        reporters.values.forEach { $0.finish() }
        for e in outcome.entries {
            if let own = e.ownObjective {
                // A sampled method is judged on its own objective, not the masked loss.
                print(String(format: "%@: iterations=%d seconds=%.3f termination=%@ sampled-loss=%.17g loss=n/a", e.label,
                             e.result.iterations, e.result.seconds, e.result.termination.rawValue, own))
            } else {
                print(String(format: "%@: iterations=%d seconds=%.3f termination=%@ loss=%@", e.label, e.result.iterations,
                             e.result.seconds, e.result.termination.rawValue,
                             e.result.termination == .nonFiniteLoss ? "nan" : LossText.value(e.result.finalLoss, bound: e.result.lossErrorBound)))
            }
        }
        for q in outcome.references { print(QualityOptions.line(q)) }
        if let best = outcome.best {
            print("deliverable: \(directory.appendingPathComponent("embedding.npy").path) (\(best.label), shape (\(best.result.embedding.rows), \(best.result.embedding.columns)))")
        } else {
            print(outcome.entries.contains(where: \.minimisesMaskedLoss)
                  ? "deliverable: none (the loss of every masked-loss run became non-finite)"
                  : "deliverable: none (every row is a sampled method; their embeddings are embedding-*.npy)")
        }
        print("report: \(directory.appendingPathComponent("report.md").path)")
        if let status = SignalHandling.exitCode(stop) { throw ExitCode(status.code) }
        let diverged = outcome.entries.filter { $0.result.termination == .nonFiniteLoss }.map(\.label)
        if !diverged.isEmpty {
            throw CLIError("the loss of \(diverged.joined(separator: ", ")) became non-finite: not ranked\(keepLastFinite ? "" : ", no embedding written (--keep-last-finite writes the last finite iterate)")")
        }
    }
}
