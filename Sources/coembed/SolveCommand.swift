import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Distributed

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

    @OptionGroup(title: "Recommendation quality") var quality: QualityOptions

    func run() throws {
        // Launched by mpirun: the same solve, distributed over the ranks (DistributedSolve).
        if MPIEnvironment.launchedByMPI { return try DistributedSolve.run(self) }
        var dataset = try data.load()
        var split: HoldoutSplit?
        if quality.holdout {
            guard let interactions = dataset.interactions else { throw CLIError("--holdout needs --ratings data") }
            split = HoldoutSplit(interactions, seed: options.settings.seed)
            dataset = try dataset.withTraining(split!.training)
        }
        let progress = ProgressReporter(label: solver.rawValue, quiet: options.quiet)
        let result = try SolverCatalog.run(solver, problem: dataset.problem(for: solver), settings: options.settings) { entry in
            progress.update(entry)
            return true
        }
        progress.finish()
        if let output { try EmbeddingOutput.write(result.embedding, to: URL(fileURLWithPath: output), dataset: dataset) }
        if let trace { try result.writeTrace(to: URL(fileURLWithPath: trace)) }
        if let split { print(QualityOptions.line(try quality.quality(of: result.embedding, split: split, name: result.method))) }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(String(format: "solver=%@ D=%d init=%@ iterations=%d evaluations=%d seconds=%.3f termination=%@ loss=%.17g",
                     result.method, options.dimension, result.initialization, result.iterations, result.lossEvaluations,
                     result.seconds, result.termination.rawValue, result.finalLoss))
    }
}

/// Picks the embedding format from the file extension.
enum EmbeddingOutput {
    static func write(_ v: Matrix, to url: URL, dataset: Dataset) throws {
        // A user-supplied X has no movieIds: items are numbered 1…M.
        let items = try dataset.interactions ?? Interactions(
            matrix: SparseMatrix(rows: 0, columns: v.rows, rowPointers: [0], columnIndices: [], values: []),
            userIDs: [], itemIDs: Array(1...v.rows), titles: nil, likeThreshold: 0, ratingCount: 0,
            source: dataset.description)
        switch url.pathExtension.lowercased() {
        case "npy":
            try NPY.write(v, to: url)
        case "csv":
            try EmbeddingExport.writeCSV(v, interactions: items, to: url)
            try EmbeddingExport.writeItems(items, to: url.deletingLastPathComponent().appendingPathComponent("items.csv"))
        case "txt", "w2v", "vec":
            try EmbeddingExport.writeWord2Vec(v, interactions: items, to: url)
        default:
            throw CLIError("unknown embedding format '.\(url.pathExtension)': use .npy, .csv, .txt or .w2v")
        }
    }
}
