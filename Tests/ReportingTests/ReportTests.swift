import Foundation
import Testing
@testable import Reporting

@Suite struct ReportTests {
    static let problem = ProblemSummary(
        dataSource: "MovieLens 1M (ratings.dat)", likeThreshold: 4, items: 3706, users: 6040, likes: 575_281,
        dimension: 32, seed: 42, machine: "2-core x86_64, OpenBLAS 0.3", date: "2025-01-02")

    @Test func reportHasAllSections() {
        let md = Report.markdown(problem: Self.problem, rows: sampleRows, series: sampleSeries,
                                 csvFile: "results.csv", traceFiles: ["traces/gd trace.csv"])
        #expect(md.hasPrefix("# Solver comparison\n"))
        for needle in ["## Problem", "MovieLens 1M (ratings.dat)", "rating ≥ 4", "**Items (M):** 3,706",
                       "**Users:** 6,040", "**Likes:** 575,281", "**Embedding dimension (D):** 32",
                       "**Seed:** 42", "2-core x86\\_64", "2025-01-02", "## Results",
                       "| solver | init |", "![", "](convergence.svg)", "[results.csv](results.csv)",
                       "(traces/gd%20trace.csv)", "## How to read this", "Gap to best", "*Time to 1e-3*, *time to 1e-6* and *time to 1e-10* are the wall-clock",
                       "fast to 1e-3 but never reaches 1e-6"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
        // The embedded table is exactly ResultsTable's Markdown.
        #expect(md.contains(ResultsTable(rows: sampleRows, series: sampleSeries).markdown()))
    }

    @Test func reportWithoutPlotOmitsImage() {
        let md = Report.markdown(problem: Self.problem, rows: sampleRows, plotFile: nil)
        #expect(!md.contains("!["))
    }

    @Test func typesRoundTripThroughJSON() throws {
        let table = ResultsTable(rows: sampleRows.filter { $0.finalLoss.isFinite }, series: sampleSeries)
        let data = try JSONEncoder().encode(table.rows)
        #expect(try JSONDecoder().decode([ReportRow].self, from: data) == table.rows)
        let p = try JSONDecoder().decode(ProblemSummary.self, from: try JSONEncoder().encode(Self.problem))
        #expect(p == Self.problem)
    }
}
