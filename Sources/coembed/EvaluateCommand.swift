import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Workflows
import Evaluation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Print the masked loss of any embedding (.npy, M × D), e.g. one made by PyTorch.",
        discussion: """
            Examples:
              coembed evaluate --embedding out/v.npy
              coembed evaluate --embedding out/v.npy --direct
              coembed evaluate --embedding torch.npy --holdout --seed 0 --similarity cosine
            """)

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("The embedding to evaluate (.npy, float64 or float32, shape (items, D)).", valueName: "file"),
            completion: .file(extensions: ["npy"]))
    var embedding: String

    @Option(help: "Seed of the hold-out split (with --holdout).")
    var seed: UInt64 = 0

    @OptionGroup(title: "Recommendation quality") var quality: QualityOptions

    @Flag(help: "Also sum the loss entry by entry with X formed in column blocks (O(M²·D), seconds on ml-latest-small) and print the difference.")
    var direct = false

    func run() throws {
        let dataset = try data.load()
        let v = try NPY.read(URL(fileURLWithPath: embedding))
        let p = dataset.problem
        guard v.rows == p.itemCount else {
            throw CLIError("\(embedding) has \(v.rows) rows but the data has \(p.itemCount) items")
        }
        guard v.columns >= 1 else { throw CLIError("\(embedding) has no columns") }
        guard v.isFinite else { throw CLIError("\(embedding) has NaN or infinite entries") }
        if quality.holdout {
            // The embedding is expected to come from training on this split (e.g. `solve --holdout`).
            guard let interactions = dataset.interactions else { throw CLIError("--holdout needs --ratings data") }
            let split = HoldoutSplit(interactions, seed: seed)
            print(QualityOptions.line(try quality.quality(of: v, split: split, name: URL(fileURLWithPath: embedding).lastPathComponent)))
            let pairs = quality.evaluatedPairs(split)
            // Popularity's scores are one M-vector per user: bound the block to ~50 M doubles.
            let block = max(1, min(RankingEvaluation.defaultUserBlockSize, 50_000_000 / max(1, p.itemCount)))
            let ranks = try RankingEvaluation.heldOutRanks(Popularity(training: split.training), training: split.training,
                                                           heldOut: pairs, userBlockSize: block)
            print(QualityOptions.line(QualityReport(method: "popularity", k: quality.k, ranks: ranks)))
        }
        let objective = try MaskedLoss(problem: p, dimension: v.columns)
        objective.useReportedBudgets() // the one loss this command reports
        let loss = objective.loss(v)
        guard loss.isFinite else {
            throw CLIError("the loss of \(embedding) is not finite (its entries are too large for double precision)")
        }
        let bound = objective.lastErrorBound
        if direct {
            let exact = MaskedLoss.direct(problem: p, v: v)
            print(String(format: "direct=%.17g implicit−direct=%.3g (relative %.3g)", exact, loss - exact, (loss - exact) / exact))
        }
        print(String(format: "items=%d D=%d relative=%.6g error_bound=%.2g loss=%@", v.rows, v.columns, loss / p.offDiagonalNormSquared,
                     bound, LossText.value(loss, bound: bound)))
    }
}
