import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Print the masked loss of any embedding (.npy, M × D), e.g. one made by PyTorch.")

    @OptionGroup var data: DataOptions

    @Option(help: "The embedding to evaluate (.npy, float64 or float32, shape (items, D)).")
    var embedding: String

    func run() throws {
        let dataset = try data.load()
        let v = try NPY.read(URL(fileURLWithPath: embedding))
        let p = dataset.problem
        guard v.rows == p.itemCount else {
            throw ValidationError("\(embedding) has \(v.rows) rows but the data has \(p.itemCount) items")
        }
        guard v.columns >= 1 else { throw ValidationError("\(embedding) has no columns") }
        guard v.isFinite else { throw ValidationError("\(embedding) has NaN or infinite entries") }
        let loss = try MaskedLoss(problem: p, dimension: v.columns).loss(v)
        print(String(format: "items=%d D=%d relative=%.6g loss=%.17g", v.rows, v.columns, loss / p.offDiagonalNormSquared, loss))
    }
}
