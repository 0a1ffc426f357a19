import ArgumentParser
import Foundation
import Solvers
import Evaluation
import Workflows

extension Similarity: ExpressibleByArgument {}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run several solvers on one problem and write a report (Markdown, CSV, LaTeX, SVG), traces and embeddings.",
        helpNames: [])

    @OptionGroup var data: DataOptions
    @OptionGroup var options: RunOptions

    @Option(help: ArgumentHelp(
        "Comma-separated solvers: \(MethodRegistry.names.joined(separator: ",")).",
        discussion: "A solver may carry its own settings after colons, e.g. sgns:pairs=all:noise-power=0 (keys: the long option names); the same solver can then appear twice with different settings."))
    var solvers: String = MethodRegistry.defaultComparison.map(\.name).joined(separator: ",")

    @Option(help: "Folder for report.md, results.csv/.tex, convergence.svg, traces and embeddings.")
    var report: String = "out/report"

    @Flag(inversion: .prefixedNo, help: "Add an Adam row from N(0, 1) (the torch.randn baseline) when adam is compared.")
    var randomBaseline = true

    @OptionGroup(title: "Recommendation quality (adds popularity and EASE reference rows)") var quality: QualityOptions

    @Option(help: "EASE ridge λ.")
    var easeLambda: Double = 200

    @OptionGroup var help: SettingsHelp

    var specs: [SolverSpec] {
        get throws {
            do { return try SolverSpec.list(solvers) } catch let error as ProblemError { throw ValidationError(error.optionMessage) }
        }
    }

    func validate() throws {
        try help.exitIfRequested(Self.self)
        let list = try specs
        guard !list.isEmpty else { throw ValidationError("--solvers is empty") }
        guard Set(list.map(\.label)).count == list.count else { throw ValidationError("--solvers names the same run twice") }
        guard easeLambda > 0, easeLambda.isFinite else { throw ValidationError("--ease-lambda must be positive") }
        let base = try options.settings()
        do { _ = try list.map { try $0.run(base: base) } } catch let error as ProblemError { throw ValidationError(error.optionMessage) }
    }

    func run() throws {
        let dataset = try data.load()
        let directory = URL(fileURLWithPath: report)
        var settings = try options.settings()
        // A comparison is a fixed budget per solver: without --time-limit each gets 60 s.
        settings.timeLimit = settings.timeLimit ?? 60
        let plan = ComparisonPlan(
            runs: try specs.map { try $0.run(base: settings) }, settings: settings, randomBaseline: randomBaseline,
            holdout: quality.holdout ? HoldoutOptions(seed: options.seed, k: quality.k, similarity: quality.similarity,
                                                      easeLambda: easeLambda) : nil,
            directory: directory, machine: Machine.description)
        var reporters: [String: ProgressReporter] = [:]
        let quiet = options.quiet
        let outcome = try Comparison.run(dataset: dataset, plan: plan, progress: { label, entry in
            let reporter = reporters[label] ?? ProgressReporter(label: label, quiet: quiet)
            reporters[label] = reporter
            reporter.update(entry)
            return true
        }, log: { message in
            reporters.values.forEach { $0.finish() }
            if !quiet { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
        })
        reporters.values.forEach { $0.finish() }
        for e in outcome.entries {
            print(String(format: "%@: iterations=%d seconds=%.3f termination=%@ loss=%.17g", e.label, e.result.iterations,
                         e.result.seconds, e.result.termination.rawValue, e.result.finalLoss))
        }
        let best = outcome.best
        print("deliverable: \(directory.appendingPathComponent("embedding.npy").path) (\(best.label), shape (\(best.result.embedding.rows), \(best.result.embedding.columns)))")
        print("report: \(directory.appendingPathComponent("report.md").path)")
    }
}
