import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Workflows

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve", abstract: "Run one solver and write the embedding and its trace.",
        discussion: """
            Examples:
              coembed solve --solver lbfgs --dim 300 --output out/v.npy --output out/v.w2v --trace out/lbfgs.csv
              coembed solve --solver adam --init random --max-iterations 500     # the torch.randn baseline
              coembed solve --solver sgns --holdout                              # HitRate@10 / NDCG@10
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var options: RunOptions

    @Option(help: "Solver: \(SolverKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var solver: SolverKind = .lbfgs

    @Option(help: ArgumentHelp(
        "Write the embedding: .npy (float64, C order), .csv or .txt/.w2v/.vec (word2vec text); repeat for several formats.",
        discussion: "items.csv (variables.csv for --matrix data) is written beside every embedding.", valueName: "file"),
            completion: .file(extensions: ["npy", "csv", "txt", "w2v", "vec"]))
    var output: [String] = []

    @Option(help: ArgumentHelp("Write the trace: .csv or .json.", valueName: "file"), completion: .file(extensions: ["csv", "json"]))
    var trace: String?

    @OptionGroup(title: "Recommendation quality") var quality: QualityOptions

    func run() throws {
        // Every output is checked (format, folder, permission) before the data is read.
        let outputs: OutputPlan
        do { outputs = try OutputPlan(embeddings: output, trace: trace) } catch let error as OutputError { throw CLIError(error.description) }
        var dataset = try data.load()
        if dataset.interactions == nil, dataset.problem.diagonal.allSatisfy({ abs($0 - 1) <= 1e-9 }) {
            FileHandle.standardError.write(Data("note: X has a unit diagonal, like a correlation matrix: `coembed factor --matrix \(data.matrix ?? "FILE") --factors \(options.dimension)` prints loadings, h2, u2, com, SS loadings and RMSR\n".utf8))
        }
        var split: HoldoutSplit?
        if quality.holdout {
            guard let interactions = dataset.interactions else { throw CLIError("--holdout needs --ratings data") }
            split = HoldoutSplit(interactions, seed: options.settings.seed)
            dataset = try dataset.withTraining(split!.training)
        }
        let progress = ProgressReporter(label: solver.rawValue, quiet: options.quiet, forced: options.progress)
        let result = try SolverCatalog.run(solver, problem: dataset.problem(for: solver), settings: options.settings) { entry in
            progress.update(entry)
            return true
        }
        progress.finish()
        try EmbeddingOutput.write(result.embedding, plan: outputs, dataset: dataset, variableNames: data.variableNames(count:))
        if let trace = outputs.trace { try result.writeTrace(to: trace) }
        if let split { print(QualityOptions.line(try quality.quality(of: result.embedding, split: split, name: result.method, kind: solver))) }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(String(format: "solver=%@ D=%d init=%@ iterations=%d evaluations=%d seconds=%.3f termination=%@ loss=%.17g",
                     result.method, options.dimension, result.initialization, result.iterations, result.lossEvaluations,
                     result.seconds, result.termination.rawValue, result.finalLoss))
    }
}

/// Writes an embedding in the formats of an `OutputPlan`, with the item map beside each.
enum EmbeddingOutput {
    static func write(_ v: Matrix, plan: OutputPlan, dataset: Dataset, variableNames: (Int) throws -> [String]) throws {
        guard !plan.embeddings.isEmpty else { return }
        // A user-supplied X has no movieIds: items are numbered 1…M.
        let items = try dataset.interactions ?? Interactions(
            matrix: SparseMatrix(rows: 0, columns: v.rows, rowPointers: [0], columnIndices: [], values: []),
            userIDs: [], itemIDs: Array(1...v.rows), titles: nil, likeThreshold: 0, ratingCount: 0,
            source: dataset.description)
        for output in plan.embeddings {
            switch output.format {
            case .npy: try NPY.write(v, to: output.url)
            case .csv: try EmbeddingExport.writeCSV(v, interactions: items, to: output.url)
            case .word2vec: try EmbeddingExport.writeWord2Vec(v, interactions: items, to: output.url)
            }
        }
        for folder in plan.itemMapFolders {
            if dataset.interactions != nil {
                try EmbeddingExport.writeItems(items, to: folder.appendingPathComponent("items.csv"))
            } else {
                try AtomicFile.write(Data(VariableNames.csv(try variableNames(v.rows)).utf8), to: folder.appendingPathComponent("variables.csv"))
            }
        }
    }
}
