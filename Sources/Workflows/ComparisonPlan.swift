import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Reporting

/// What `coembed compare` runs.
public struct ComparisonPlan: Sendable {
    /// The rows, in order. Every run must share the plan's dimension and seed: a comparison is
    /// one problem.
    public var runs: [ComparisonRun]
    /// The problem-wide settings (dimension, seed) and the defaults the runs started from.
    public var settings: SolverSettings
    /// Add an Adam row from N(0, 1) — the `torch.randn(M, D)` baseline — after the first Adam run
    /// that does not already start from it.
    public var randomBaseline: Bool
    public var holdout: HoldoutOptions?
    public var directory: URL
    public var machine: String
    /// Write the last finite iterate of a run whose loss became non-finite (as its
    /// `embedding-<label>.npy`; it is never ranked nor the deliverable). Off: no file for it.
    public var keepLastFinite = false
    /// The relative gaps of the table's "time to …" columns.
    public var tolerances: [Double] = Convergence.reportedTolerances

    public init(runs: [ComparisonRun], settings: SolverSettings, randomBaseline: Bool = true,
                holdout: HoldoutOptions? = nil, directory: URL, machine: String) {
        self.runs = runs
        self.settings = settings
        self.randomBaseline = randomBaseline
        self.holdout = holdout
        self.directory = directory
        self.machine = machine
    }

    /// One run per solver, each with `settings` and labelled by the solver's name.
    public init(solvers: [RegisteredMethod], settings: SolverSettings, randomBaseline: Bool = true,
                holdout: HoldoutOptions? = nil, directory: URL, machine: String) {
        self.init(runs: solvers.map { ComparisonRun(label: $0.name, method: $0, settings: settings) }, settings: settings,
                  randomBaseline: randomBaseline, holdout: holdout, directory: directory, machine: machine)
    }

    /// The runs with the random-start Adam baseline inserted, checked for one problem and unique labels.
    func expandedRuns() throws -> [ComparisonRun] {
        guard !runs.isEmpty else { throw ProblemError.invalidOption("no solvers to compare") }
        var out = runs
        if randomBaseline, let index = runs.firstIndex(where: { $0.method.name == Adam.methodName && $0.settings.initialPoint != .random(scale: 1) }) {
            var baseline = runs[index].settings
            baseline.initialPoint = .random(scale: 1)
            out.insert(ComparisonRun(label: "\(runs[index].label) (random init)", method: runs[index].method, settings: baseline,
                                     similarity: runs[index].similarity), at: index + 1)
        }
        var seen = Set<String>()
        for run in out {
            guard run.settings.dimension == settings.dimension, run.settings.seed == settings.seed else {
                throw ProblemError.invalidOption("\(run.label): every run of a comparison uses D = \(settings.dimension) and seed \(settings.seed)")
            }
            guard seen.insert(Comparison.slugify(run.label)).inserted else {
                throw ProblemError.invalidOption("two runs are labelled '\(run.label)': their files would overwrite each other")
            }
        }
        return out
    }
}
