import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Reporting

/// Runs several solvers on one problem and writes the report, tables, plot, traces and
/// embeddings into one folder.
public enum Comparison {
    /// `progress` receives each solver's label and trace entries; return false to stop that solver.
    /// A `stop` request (signal) ends the running solver at the end of its iteration, skips the
    /// rest, and the report is written for what ran, with the interrupted row marked.
    public static func run(dataset original: Dataset, plan: ComparisonPlan, stop: StopToken? = nil,
                           progress: @escaping (String, TraceEntry) -> Bool = { _, _ in true },
                           log: (String) -> Void = { _ in }) throws -> ComparisonOutcome {
        let runs = try plan.expandedRuns()
        try original.problem.validate(dimension: plan.settings.dimension)
        for run in runs { try run.method.checkMemory(problem: original.problem(for: run.method), settings: run.settings) }
        var dataset = original
        var split: HoldoutSplit?
        if let holdout = plan.holdout {
            guard let interactions = original.interactions else {
                throw ProblemError.invalidOption("--holdout needs interactions (--ratings), not a matrix file")
            }
            let s = HoldoutSplit(interactions, seed: holdout.seed)
            split = s
            dataset = try original.withTraining(s.training)
            log("hold-out: \(s.heldOut.count) users each lose one liked movie (seed \(holdout.seed))")
        }
        // One writer per report folder; every file of the report is renamed into place only
        // after all of them were written (see docs/formats.md).
        try FileErrors.createDirectory(plan.directory)
        let lock = try DirectoryLock(plan.directory)
        defer { lock.release() }
        let transaction = OutputTransaction()
        defer { transaction.discard() }

        var entries: [ComparisonEntry] = []
        var files: [URL] = []
        var interruption: [String] = []
        for (index, run) in runs.enumerated() {
            log("running \(run.label)")
            let result = try run.method.run(problem: dataset.problem(for: run.method), settings: run.settings,
                                            control: RunControl(stop: stop), readStart: StartFile.read) { progress(run.label, $0) }
            if result.termination == .interrupted {
                let skipped = runs[(index + 1)...].map(\.label)
                interruption = ["- \(run.label) was interrupted after \(result.iterations) iterations (termination `interrupted`); its row is the iterate at the stop."]
                if !skipped.isEmpty { interruption.append("- not run: \(skipped.joined(separator: ", "))") }
                log("interrupted: \(run.label) stopped\(skipped.isEmpty ? "" : "; skipped \(skipped.joined(separator: ", "))")")
            }
            var quality: QualityReport?
            if let split, let holdout = plan.holdout {
                let recommender = try EmbeddingRecommender(embedding: result.embedding, similarity: run.similarity ?? holdout.similarity ?? run.method.defaultSimilarity,
                                                           name: run.label)
                quality = try RankingEvaluation.evaluate(recommender, split: split, k: holdout.k)
            }
            let slug = slugify(run.label)
            let trace = plan.directory.appendingPathComponent("trace-\(slug).csv")
            try transaction.stage(trace) { try result.writeTrace(to: $0) }
            files.append(trace)
            if result.termination != .nonFiniteLoss || (plan.keepLastFinite && result.finalLoss.isFinite) {
                let embedding = plan.directory.appendingPathComponent("embedding-\(slug).npy")
                try transaction.stage(embedding) { try NPY.write(result.embedding, to: $0) }
                files.append(embedding)
            }
            entries.append(ComparisonEntry(label: run.label, method: run.method, result: result, quality: quality))
            if !interruption.isEmpty { break }
        }

        var references: [QualityReport] = []
        if let split, let holdout = plan.holdout, interruption.isEmpty {
            log("reference recommenders: popularity, EASE (λ = \(holdout.easeLambda))")
            references.append(try RankingEvaluation.evaluate(Popularity(training: split.training), split: split, k: holdout.k))
            references.append(try RankingEvaluation.evaluate(try EASE(training: split.training, lambda: holdout.easeLambda),
                                                             split: split, k: holdout.k))
        }

        func metrics(_ q: QualityReport?) -> [Metric] {
            guard let q else { return [] }
            return [Metric("HitRate@\(q.k)", q.hitRate), Metric("NDCG@\(q.k)", q.ndcg)]
        }
        var rows = entries.map { e -> ReportRow in
            if let own = e.ownObjective {
                return ReportRow(solver: e.label, initialization: e.result.initialization, iterations: e.result.iterations,
                                 wallSeconds: e.result.seconds, finalLoss: e.result.finalLoss,
                                 termination: e.result.termination.rawValue, ownObjective: own, metrics: metrics(e.quality))
            }
            return ReportRow(solver: e.label, initialization: e.result.initialization, iterations: e.result.iterations,
                             wallSeconds: e.result.seconds,
                             // A run that diverged is never ranked: its row shows NaN, not its last finite loss.
                             finalLoss: e.result.termination == .nonFiniteLoss ? .nan : e.result.finalLoss,
                             termination: e.result.termination.rawValue, metrics: metrics(e.quality))
        }
        rows += references.map { ReportRow.reference("\($0.method) (reference)", metrics: metrics($0)) }
        // The figure shows the masked loss, so only the methods that minimise it.
        let series = entries.filter(\.minimisesMaskedLoss).map { e in
            ConvergenceSeries(solver: e.label, points: e.result.trace.map {
                ConvergencePoint(iteration: $0.iteration, seconds: $0.seconds, loss: $0.loss)
            })
        }
        let table = ResultsTable(rows: rows, series: series, tolerances: plan.tolerances)
        // A diverged run is never ranked; sampled methods minimise another objective; an
        // interrupted run is the deliverable only when nothing else finished.
        let finite = entries.filter { $0.minimisesMaskedLoss && $0.result.termination != .nonFiniteLoss && $0.result.finalLoss.isFinite }
        let finished = finite.filter { $0.result.termination != .interrupted }
        let best = (finished.isEmpty ? finite : finished).min { $0.result.finalLoss < $1.result.finalLoss }

        let summary = problemSummary(dataset: dataset, plan: plan)
        let dir = plan.directory
        func write(_ text: String, _ name: String) throws {
            let url = dir.appendingPathComponent(name)
            try transaction.stage(url) { try AtomicFile.write(Data(text.utf8), to: $0) }
            files.append(url)
        }
        try write(table.csv(), "results.csv")
        try write(table.latex(), "results.tex")
        if !series.isEmpty {
            try write(ConvergencePlot.svg(series: series, title: "Masked loss: gap to the best, D = \(plan.settings.dimension)",
                                          best: table.best), "convergence.svg")
        }
        // The deliverable: the best masked-loss embedding with the item map beside it.
        if let best {
            let deliverable = dir.appendingPathComponent("embedding.npy")
            try transaction.stage(deliverable) { try NPY.write(best.result.embedding, to: $0) }
            files.append(deliverable)
        }
        if let interactions = original.interactions {
            let items = dir.appendingPathComponent("items.csv")
            try transaction.stage(items) { try EmbeddingExport.writeItems(interactions, to: $0) }
            files.append(items)
        }
        var markdown = Report.markdown(problem: summary, table: table, plotFile: series.isEmpty ? nil : "convergence.svg",
                                       csvFile: "results.csv",
                                       traceFiles: entries.map { "trace-\(slugify($0.label)).csv" },
                                       title: "Coembed solver comparison")
        if entries.contains(where: { !$0.minimisesMaskedLoss }) {
            markdown += "\nSampled methods (sgns, sampled-softmax, in-batch) minimise their own objective: their rows give its final value (*own objective*, the trace's `sampledLoss`) and the hold-out metrics; the masked-loss columns read n/a, and they take no part in the best loss, the figure or the deliverable.\n"
        }
        if let best {
            markdown += deliverableSection(best: best, dimension: plan.settings.dimension, items: original.interactions != nil)
        } else if entries.contains(where: \.minimisesMaskedLoss) {
            markdown += "\n## Deliverable\n\nNone: the loss of every masked-loss run became non-finite (NaN or infinite), so no embedding is ranked.\n"
        } else {
            markdown += "\n## Deliverable\n\nNone: every row is a sampled method, and the deliverable is the lowest masked loss. Their embeddings are the `embedding-*.npy` files.\n"
        }
        let diverged = entries.filter { $0.result.termination == .nonFiniteLoss }
        if !diverged.isEmpty {
            markdown += "\n## Runs that diverged\n\n" + diverged.map {
                "- \($0.label): the loss became non-finite after \($0.result.iterations) iterations; not ranked\(plan.keepLastFinite ? " (its last finite iterate is in its embedding file)" : ", no embedding written")."
            }.joined(separator: "\n") + "\n"
        }
        if !references.isEmpty || entries.contains(where: { $0.quality != nil }) {
            markdown += qualitySection(entries: entries, references: references, holdout: plan.holdout!, split: split!)
        }
        let notes = entries.flatMap { e in e.result.notes.map { "- \(e.label): \($0)" } }
        if !notes.isEmpty { markdown += "\n## Notes\n\n" + notes.joined(separator: "\n") + "\n" }
        if !interruption.isEmpty { markdown += "\n## Interrupted\n\n" + interruption.joined(separator: "\n") + "\n" }
        try write(markdown, "report.md")
        try transaction.commit()
        // Only masked-loss runs can give a deliverable: without any, there is none to miss.
        if best == nil, entries.contains(where: \.minimisesMaskedLoss) {
            throw ProblemError.nonFinite("the loss of every run became non-finite; \(dir.path) holds the report but no deliverable")
        }
        return ComparisonOutcome(entries: entries, references: references, table: table, best: best, files: files)
    }

    static func problemSummary(dataset: Dataset, plan: ComparisonPlan) -> ProblemSummary {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let s = dataset.interactions
        return ProblemSummary(dataSource: dataset.description, likeThreshold: s?.likeThreshold ?? .nan,
                              items: dataset.problem.itemCount, users: s?.userCount ?? 0, likes: s?.likeCount ?? 0,
                              dimension: plan.settings.dimension, seed: plan.settings.seed, machine: plan.machine,
                              date: formatter.string(from: Date()))
    }

    static func deliverableSection(best: ComparisonEntry, dimension: Int, items: Bool) -> String {
        let v = best.result.embedding
        return """

        ## Deliverable

        `embedding.npy` holds the lowest-loss embedding (\(best.label), loss \(String(format: "%.10g", best.result.finalLoss))), \
        float64 with shape (\(v.rows), \(v.columns)), rows in item order\(items ? " (`items.csv` maps rows to movieIds and titles)" : "").
        Load it with `numpy.load("embedding.npy")`.

        """
    }

    static func qualitySection(entries: [ComparisonEntry], references: [QualityReport], holdout: HoldoutOptions,
                               split: HoldoutSplit) -> String {
        var lines = ["", "## Recommendation quality (hold-out)", "",
                     "One liked movie per user with at least 2 likes was hidden before training (seed \(holdout.seed), \(split.heldOut.count) users); every method trained on the same split. Unseen movies are ranked by Σ over the user's likes of \(holdout.similarity.map { "\($0.rawValue) similarity (unless a row names another)" } ?? "each method's similarity (cosine for sgns, dot for the others, unless a row names another)"). Popularity is the floor; EASE (λ = \(Int(holdout.easeLambda))) is the closed-form item-item bar.", "",
                     "| method | HitRate@\(holdout.k) | NDCG@\(holdout.k) | users |", "|:--|--:|--:|--:|"]
        for e in entries { if let q = e.quality { lines.append("| \(e.label) | \(String(format: "%.4f", q.hitRate)) | \(String(format: "%.4f", q.ndcg)) | \(q.usersEvaluated) |") } }
        for q in references { lines.append("| \(q.method) (reference) | \(String(format: "%.4f", q.hitRate)) | \(String(format: "%.4f", q.ndcg)) | \(q.usersEvaluated) |") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func slugify(_ label: String) -> String {
        var out = ""
        for ch in label.lowercased() {
            if ch.isLetter || ch.isNumber { out.append(ch) } else if out.last != "-" { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }
}
