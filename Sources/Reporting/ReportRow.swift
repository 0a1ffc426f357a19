// Plain data handed to the reporting layer. Everything here is Codable so a
// benchmark run can be saved as JSON and re-rendered later without re-solving.

/// One solver run as it appears in the results table.
///
/// The comparison columns (`gapToBest`, `timesToTolerance`) are
/// read-only: they only make sense relative to the other rows, so they are
/// filled in by ``ResultsTable`` rather than trusted from the caller.
public struct ReportRow: Codable, Sendable, Equatable {
    /// Label used to match this row to its ``ConvergenceSeries``; keep it unique
    /// per run (e.g. "gd (eigen init)") so legend and table agree.
    public var solver: String
    /// How the solver was initialised (e.g. "random", "eigen").
    public var initialization: String
    public var iterations: Int
    public var wallSeconds: Double
    public var finalLoss: Double
    /// Why the solver stopped (converged, max iterations, time limit, ...).
    public var termination: String
    public var metrics: [Metric]
    /// The final value of the objective the method itself minimises, for methods that do not
    /// minimise the masked loss (sampled objectives). Such a row's masked-loss columns read
    /// "n/a" and it never sets or takes part in the best loss.
    public var ownObjective: Double?
    /// A reference recommender (popularity, EASE): hold-out metrics only, no solver columns.
    public var isReference: Bool = false

    /// Whether the masked-loss columns (final loss, gap, times to tolerance) apply to this row.
    public var reportsMaskedLoss: Bool { ownObjective == nil && !isReference }

    /// (finalLoss − best)/|best| over all rows; `nil` when this loss is not finite
    /// or no row has a finite loss.
    public internal(set) var gapToBest: Double?
    /// For each of the table's tolerances (coarsest first), the first wall-clock second at which
    /// the series came within it relative to best; `seconds` is `nil` when never reached or when
    /// there is no series for this row.
    public internal(set) var timesToTolerance: [ToleranceTime] = []

    /// The seconds to `tolerance` (one of the table's); `nil` when never reached or not in the table.
    public func secondsTo(_ tolerance: Double) -> Double? {
        timesToTolerance.first { $0.tolerance == tolerance }?.seconds ?? nil
    }

    public init(solver: String, initialization: String, iterations: Int, wallSeconds: Double,
                finalLoss: Double, termination: String, metrics: [Metric] = []) {
        self.solver = solver
        self.initialization = initialization
        self.iterations = iterations
        self.wallSeconds = wallSeconds
        self.finalLoss = finalLoss
        self.termination = termination
        self.metrics = metrics
    }

    /// A row of a method judged on its own objective (e.g. a sampled loss), not the masked loss.
    public init(solver: String, initialization: String, iterations: Int, wallSeconds: Double, finalLoss: Double,
                termination: String, ownObjective: Double, metrics: [Metric] = []) {
        self.init(solver: solver, initialization: initialization, iterations: iterations, wallSeconds: wallSeconds,
                  finalLoss: finalLoss, termination: termination, metrics: metrics)
        self.ownObjective = ownObjective
    }

    /// A reference recommender's row: only its metrics are filled.
    public static func reference(_ name: String, metrics: [Metric]) -> ReportRow {
        var row = ReportRow(solver: name, initialization: "", iterations: 0, wallSeconds: .nan, finalLoss: .nan,
                            termination: "reference", metrics: metrics)
        row.isReference = true
        return row
    }
}
