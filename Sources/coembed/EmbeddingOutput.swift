import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Workflows
import Distributed

/// Writes an embedding in the formats of an `OutputPlan`, with the item map beside each.
enum EmbeddingOutput {
    /// Stages the embedding in every format of `plan`, with the item map (or, for --matrix data,
    /// the variable names) beside each, in `transaction`.
    static func stage(_ v: Matrix, plan: OutputPlan, dataset: Dataset, variableNames: (Int) throws -> [String],
                      in transaction: OutputTransaction) throws {
        guard !plan.embeddings.isEmpty else { return }
        // A user-supplied X has no movieIds: items are numbered 1…M.
        let items = try dataset.interactions ?? Interactions(
            matrix: SparseMatrix(rows: 0, columns: v.rows, rowPointers: [0], columnIndices: [], values: []),
            userIDs: [], itemIDs: Array(1...v.rows), titles: nil, likeThreshold: 0, ratingCount: 0,
            source: dataset.description)
        for output in plan.embeddings {
            switch output.format {
            case .npy: try transaction.stage(output.url) { try NPY.write(v, to: $0) }
            case .csv: try transaction.stage(output.url) { try EmbeddingExport.writeCSV(v, interactions: items, to: $0) }
            case .word2vec: try transaction.stage(output.url) { try EmbeddingExport.writeWord2Vec(v, interactions: items, to: $0) }
            }
        }
        for folder in plan.itemMapFolders {
            if dataset.interactions != nil {
                try transaction.stage(folder.appendingPathComponent("items.csv")) { try EmbeddingExport.writeItems(items, to: $0) }
            } else {
                let text = VariableNames.csv(try variableNames(v.rows))
                try transaction.stage(folder.appendingPathComponent("variables.csv")) { try AtomicFile.write(Data(text.utf8), to: $0) }
            }
        }
    }
}
