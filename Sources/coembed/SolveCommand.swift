import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve", abstract: "Run one solver and write the embedding and its trace.")

    @OptionGroup var data: DataOptions
    @OptionGroup var options: RunOptions

    @Option(help: "Solver: \(SolverKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var solver: SolverKind = .lbfgs

    @Option(help: "Write the embedding: .npy (float64, C order), .csv (+ items.csv beside it) or .txt/.w2v (word2vec text).")
    var output: String?

    @Option(help: "Write the trace: .csv or .json.")
    var trace: String?

    @Flag(help: "If the loss becomes non-finite, still write the last finite iterate to --output (the exit status stays non-zero).")
    var keepLastFinite = false

    @OptionGroup(title: "Recommendation quality") var quality: QualityOptions

    @OptionGroup(title: "Checkpoints") var checkpointing: CheckpointOptions

    func validate() throws {
        var outputs: [(option: String, path: String)] = []
        if let output { try OutputPaths.checkEmbeddingExtension(output); outputs += OutputPaths.embeddingFiles(output) }
        if let trace { try OutputPaths.checkTraceExtension(trace); outputs.append(("--trace", trace)) }
        try OutputPaths.checkDistinct(outputs: outputs, inputs: OutputPaths.inputs(data: data, initialization: options.initialization))
    }

    func run() throws {
        let commandLine = CheckpointOptions.commandLineArguments
        let record = try checkpointing.loadResume()
        if let record {
            let merged = try checkpointing.savedArguments(record: record) + commandLine
            try SolveCommand.parse(merged).execute(commandLine: merged, resume: record)
        } else {
            try execute(commandLine: commandLine, resume: record)
        }
    }

    func execute(commandLine: [String], resume: CheckpointRecord?) throws {
        let stop = StopToken()
        SignalHandling.install(stop)
        var dataset = try data.load()
        var split: HoldoutSplit?
        if quality.holdout {
            guard let interactions = dataset.interactions else { throw CLIError("--holdout needs --ratings data") }
            split = HoldoutSplit(interactions, seed: options.settings.seed)
            dataset = try dataset.withTraining(split!.training)
        }
        let progress = ProgressReporter(label: solver.rawValue, quiet: options.quiet)
        let control = RunControl(stop: stop, checkpointing: checkpointing.policy(
            solver: solver, settings: options.settings, commandLine: commandLine, resume: resume))
        let result = try SolverCatalog.run(solver, problem: dataset.problem(for: solver), settings: options.settings,
                                           control: control) { entry in
            progress.update(entry)
            return true
        }
        progress.finish()
        try EmbeddingOutput.commit(result, output: output, trace: trace, dataset: dataset, keepLastFinite: keepLastFinite)
        if let split { print(QualityOptions.line(try quality.quality(of: result.embedding, split: split, name: result.method))) }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(String(format: "solver=%@ D=%d init=%@ iterations=%d evaluations=%d seconds=%.3f termination=%@ loss=%@",
                     result.method, options.dimension, result.initialization, result.iterations, result.lossEvaluations,
                     result.seconds, result.termination.rawValue,
                     result.termination == .nonFiniteLoss ? "nan" : LossText.value(result.finalLoss, bound: result.lossErrorBound)))
        try EmbeddingOutput.failIfNonFinite(result, wrote: output != nil && keepLastFinite)
        if let status = SignalHandling.exitCode(stop) { throw ExitCode(status.code) }
    }
}

/// Picks the embedding format from the file extension.
enum EmbeddingOutput {
    static func stage(_ v: Matrix, to url: URL, dataset: Dataset, in transaction: OutputTransaction) throws {
        // A user-supplied X has no movieIds: items are numbered 1…M.
        let items = try dataset.interactions ?? Interactions(
            matrix: SparseMatrix(rows: 0, columns: v.rows, rowPointers: [0], columnIndices: [], values: []),
            userIDs: [], itemIDs: Array(1...v.rows), titles: nil, likeThreshold: 0, ratingCount: 0,
            source: dataset.description)
        switch url.pathExtension.lowercased() {
        case "npy":
            try transaction.stage(url) { try NPY.write(v, to: $0) }
        case "csv":
            try transaction.stage(url) { try EmbeddingExport.writeCSV(v, interactions: items, to: $0) }
            try transaction.stage(url.deletingLastPathComponent().appendingPathComponent("items.csv")) {
                try EmbeddingExport.writeItems(items, to: $0)
            }
        case "txt", "w2v", "vec":
            try transaction.stage(url) { try EmbeddingExport.writeWord2Vec(v, interactions: items, to: $0) }
        default:
            throw CLIError("unknown embedding format '.\(url.pathExtension)': use .npy, .csv, .txt or .w2v")
        }
    }
}
