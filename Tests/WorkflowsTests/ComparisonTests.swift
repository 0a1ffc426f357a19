import Testing
import Evaluation
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LinearAlgebra
import DataIO
import Solvers
import Workflows
import TestSupport

/// Writes a small MovieLens-format ratings file with two taste clusters.
func writeSyntheticRatings(in dir: URL, users: Int = 40, items: Int = 60, seed: UInt64 = 1) throws -> URL {
    var rng = SeededGenerator(seed: seed)
    var lines = ["userId,movieId,rating,timestamp"]
    for u in 1...users {
        let cluster = u % 2
        for i in 1...items where rng.nextUniform() < (i % 2 == cluster ? 0.35 : 0.05) {
            let rating = rng.nextUniform() < 0.8 ? 4.5 : 2.0
            lines.append("\(u),\(i * 10),\(rating),964982703")
        }
    }
    let url = dir.appendingPathComponent("ratings.csv")
    try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    var movies = ["movieId,title,genres"]
    for i in 1...items { movies.append("\(i * 10),\"Movie \(i), The (\(1990 + i % 20))\",Drama") }
    try movies.joined(separator: "\n").write(to: dir.appendingPathComponent("movies.csv"), atomically: true, encoding: .utf8)
    return url
}

final class SVGCounter: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var texts: [String] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
}

@Suite(.serialized) struct ComparisonTests {
    @Test func compareWritesAValidReportWithEverySolver() throws {
        let dir = try TemporaryDirectory()
        let ratings = try writeSyntheticRatings(in: dir.url)
        let dataset = try Dataset.ratings(ratings, likeThreshold: 4)
        var settings = SolverSettings(dimension: 4)
        settings.maxIterations = 30
        for group in MethodRegistry.settingGroups { _ = try group.apply("epochs", "2", to: &settings) }
        let out = dir.url.appendingPathComponent("report")
        let plan = ComparisonPlan(solvers: MethodRegistry.all, settings: settings, directory: out, machine: "test machine")
        let outcome = try Comparison.run(dataset: dataset, plan: plan)
        // Every registered method, with the random-start Adam baseline right after Adam.
        let expected = MethodRegistry.names.flatMap { $0 == Adam.methodName ? [$0, "\($0) (random init)"] : [$0] }
        #expect(outcome.entries.map(\.label) == expected)
        for name in ["report.md", "results.csv", "results.tex", "convergence.svg", "embedding.npy", "items.csv",
                     "trace-lbfgs.csv", "embedding-adam-random-init.npy"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) missing")
        }
        // The SVG parses as XML and has a legend entry per solver.
        let parser = try #require(XMLParser(contentsOf: out.appendingPathComponent("convergence.svg")))
        let counter = SVGCounter()
        parser.delegate = counter
        #expect(parser.parse(), "convergence.svg is not well-formed XML: \(String(describing: parser.parserError))")
        #expect(counter.elements["svg"] == 1)
        // Masked-loss methods only: the sampled ones minimise their own objectives and are not drawn.
        for e in outcome.entries {
            #expect(counter.texts.contains(e.label) == e.minimisesMaskedLoss, "legend and \(e.label) (\(e.method.family))")
        }
        // The deliverable is the lowest-loss embedding with shape (M, D).
        let deliverable = try NPY.read(out.appendingPathComponent("embedding.npy"))
        #expect(deliverable.rows == dataset.problem.itemCount && deliverable.columns == 4)
        let best = try #require(outcome.best)
        #expect(deliverable == best.result.embedding)
        #expect(best.result.finalLoss == outcome.entries.filter(\.minimisesMaskedLoss).map(\.result.finalLoss).min())
        // A sampled method is reported on its sampled loss; its masked-loss columns read n/a.
        for e in outcome.entries where !e.minimisesMaskedLoss {
            #expect(e.ownObjective == e.result.trace.last?.extras["sampledLoss"] && e.ownObjective != nil, "\(e.label)")
            let row = try #require(outcome.table.rows.first { $0.solver == e.label })
            #expect(row.gapToBest == nil && row.timesToTolerance.allSatisfy { $0.seconds == nil }, "\(e.label)")
        }
        #expect(outcome.entries.contains { !$0.minimisesMaskedLoss })
        // results.csv: a header and one row per solver.
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.split(whereSeparator: \.isNewline).count == 1 + outcome.entries.count)
        for e in outcome.entries where !e.minimisesMaskedLoss {
            let line = try #require(csv.split(whereSeparator: \.isNewline).first { $0.hasPrefix("\(e.label),") })
            #expect(line.contains(",n/a,n/a,n/a,n/a,"), "\(line)")
        }
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("convergence.svg") && report.contains("(\(dataset.problem.itemCount), 4)"))
    }

    @Test func holdoutAddsQualityWithReferenceRows() throws {
        let dir = try TemporaryDirectory()
        let ratings = try writeSyntheticRatings(in: dir.url, users: 60, items: 40)
        let dataset = try Dataset.ratings(ratings, likeThreshold: 4)
        var settings = SolverSettings(dimension: 3)
        settings.maxIterations = 40
        let plan = ComparisonPlan(solvers: [RegisteredMethod(EigenMethod.self), RegisteredMethod(LBFGS.self)], settings: settings, holdout: HoldoutOptions(seed: 3, easeLambda: 5),
                                  directory: dir.url.appendingPathComponent("r"), machine: "test")
        let outcome = try Comparison.run(dataset: dataset, plan: plan)
        #expect(outcome.references.count == 2)
        #expect(outcome.references[0].method == "popularity")
        #expect(outcome.references[1].method.hasPrefix("EASE"))
        for e in outcome.entries { #expect(e.quality != nil) }
        // Hold-out training has fewer likes than the full data.
        #expect(outcome.entries[0].result.embedding.rows == dataset.problem.itemCount)
        let report = try String(contentsOf: dir.url.appendingPathComponent("r/report.md"), encoding: .utf8)
        #expect(report.contains("HitRate@10") && report.contains("(reference)"))
        // The reference rows are in results.csv and results.tex too, with their metrics.
        let csv = try String(contentsOf: dir.url.appendingPathComponent("r/results.csv"), encoding: .utf8)
        let popularityLine = try #require(csv.split(whereSeparator: \.isNewline).first { $0.hasPrefix("popularity (reference)") })
        #expect(popularityLine.hasSuffix(",\(outcome.references[0].hitRate),\(outcome.references[0].ndcg)"), "\(popularityLine)")
        let tex = try String(contentsOf: dir.url.appendingPathComponent("r/results.tex"), encoding: .utf8)
        #expect(tex.contains("popularity (reference)") && tex.contains("EASE"))
        #expect(tex.hasPrefix("% needs \\usepackage{booktabs} and \\usepackage{tabularx}") && tex.contains("\\begin{tabularx}{\\linewidth}"))
        // On two clean clusters the learned embedding beats popularity.
        let lbfgs = try #require(outcome.entries.last?.quality)
        let popularity = try #require(outcome.references.first)
        #expect(lbfgs.hitRate >= popularity.hitRate)
    }

    /// The same solver twice with different settings: each row runs with its own settings, and
    /// runs that would share files, or change the problem, are refused.
    @Test func runsCarryTheirOwnSettings() throws {
        let dir = try TemporaryDirectory()
        let dataset = try Dataset.ratings(try writeSyntheticRatings(in: dir.url), likeThreshold: 4)
        var base = SolverSettings(dimension: 3)
        base.relativeTolerance = 0
        var short = base, long = base
        short.maxIterations = 2
        long.maxIterations = 7
        let plan = ComparisonPlan(runs: [ComparisonRun(label: "lbfgs (short)", method: RegisteredMethod(LBFGS.self), settings: short),
                                         ComparisonRun(label: "lbfgs (long)", method: RegisteredMethod(LBFGS.self), settings: long)],
                                  settings: base, directory: dir.url.appendingPathComponent("r"), machine: "test")
        let outcome = try Comparison.run(dataset: dataset, plan: plan)
        #expect(outcome.entries.map(\.label) == ["lbfgs (short)", "lbfgs (long)"])
        #expect(outcome.entries.map(\.result.iterations) == [2, 7])
        #expect(outcome.entries[1].result.finalLoss < outcome.entries[0].result.finalLoss)
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("r/trace-lbfgs-long.csv").path))

        let twice = ComparisonPlan(runs: [ComparisonRun(label: "eigen", method: RegisteredMethod(EigenMethod.self), settings: base),
                                          ComparisonRun(label: "Eigen", method: RegisteredMethod(EigenMethod.self), settings: base)],
                                   settings: base, directory: dir.url, machine: "")
        #expect(throws: ProblemError.self) { try Comparison.run(dataset: dataset, plan: twice) }
        var otherDimension = base
        otherDimension.dimension = 2
        let mixed = ComparisonPlan(runs: [ComparisonRun(label: "eigen", method: RegisteredMethod(EigenMethod.self), settings: otherDimension)],
                                   settings: base, directory: dir.url, machine: "")
        #expect(throws: ProblemError.self) { try Comparison.run(dataset: dataset, plan: mixed) }
    }

    /// A row may score its embedding with its own similarity: the row's quality is exactly what
    /// the recommender with that similarity gives on the same split.
    @Test func runsCanScoreWithTheirOwnSimilarity() throws {
        let dir = try TemporaryDirectory()
        let dataset = try Dataset.ratings(try writeSyntheticRatings(in: dir.url, users: 60, items: 40), likeThreshold: 4)
        let settings = SolverSettings(dimension: 3)
        let plan = ComparisonPlan(runs: [ComparisonRun(label: "eigen", method: RegisteredMethod(EigenMethod.self), settings: settings),
                                         ComparisonRun(label: "eigen (cosine)", method: RegisteredMethod(EigenMethod.self), settings: settings, similarity: .cosine)],
                                  settings: settings, holdout: HoldoutOptions(seed: 3, similarity: .dot, easeLambda: 5),
                                  directory: dir.url.appendingPathComponent("r"), machine: "test")
        let outcome = try Comparison.run(dataset: dataset, plan: plan)
        let split = HoldoutSplit(try #require(dataset.interactions), seed: 3)
        for (entry, similarity) in zip(outcome.entries, [Similarity.dot, .cosine]) {
            let expected = try RankingEvaluation.evaluate(
                try EmbeddingRecommender(embedding: entry.result.embedding, similarity: similarity), split: split, k: 10)
            let quality = try #require(entry.quality)
            #expect(quality.hitRate == expected.hitRate && quality.ndcg == expected.ndcg, "\(entry.label)")
        }
        #expect(outcome.entries[0].quality!.ndcg != outcome.entries[1].quality!.ndcg)
    }

    @Test func refusesEmptyPlansAndBadDimensions() throws {
        let dir = try TemporaryDirectory()
        let dataset = try Dataset.ratings(try writeSyntheticRatings(in: dir.url), likeThreshold: 4)
        #expect(throws: ProblemError.self) {
            try Comparison.run(dataset: dataset, plan: ComparisonPlan(solvers: [], settings: SolverSettings(dimension: 2),
                                                                     directory: dir.url, machine: ""))
        }
        #expect(throws: ProblemError.self) {
            try Comparison.run(dataset: dataset, plan: ComparisonPlan(solvers: [RegisteredMethod(EigenMethod.self)], settings: SolverSettings(dimension: 0),
                                                                     directory: dir.url, machine: ""))
        }
    }
}
