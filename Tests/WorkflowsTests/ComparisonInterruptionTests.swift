import Testing
import Foundation
import DataIO
import Solvers
import Workflows
import TestSupport

/// A signal during `compare` ends the running solver at the end of its iteration; the report
/// is written for what ran, the interrupted row is marked and the remaining runs are skipped.
@Suite(.serialized) struct ComparisonInterruptionTests {
    @Test func interruptedComparisonWritesTheReportOfWhatRan() throws {
        let dir = try TemporaryDirectory()
        let dataset = try Dataset.ratings(try writeSyntheticRatings(in: dir.url), likeThreshold: 4)
        var settings = SolverSettings(dimension: 4)
        settings.maxIterations = 200
        settings.relativeTolerance = 0
        let out = dir.url.appendingPathComponent("report")
        let plan = ComparisonPlan(solvers: [.gd, .lbfgs, .adam], settings: settings, randomBaseline: false,
                                  directory: out, machine: "test machine")
        let stop = StopToken()
        let outcome = try Comparison.run(dataset: dataset, plan: plan, stop: stop, progress: { label, entry in
            if label == "lbfgs", entry.iteration == 3 { stop.requestStop(.signal(SIGINT)) }
            return true
        })
        #expect(outcome.entries.map(\.label) == ["gd", "lbfgs"])
        #expect(outcome.entries[0].result.termination != .interrupted)
        #expect(outcome.entries[1].result.termination == .interrupted)
        #expect(outcome.entries[1].result.iterations == 3, "stops at the end of the iteration it was asked in")
        #expect(outcome.best?.label == "gd", "an interrupted run is not the deliverable while a finished one exists")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("## Interrupted"))
        #expect(report.contains("not run: adam"))
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.contains("interrupted"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("embedding-lbfgs.npy").path))
    }
}
