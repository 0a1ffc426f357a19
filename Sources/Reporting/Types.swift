// Plain data handed to the reporting layer. Everything here is Codable so a
// benchmark run can be saved as JSON and re-rendered later without re-solving.

/// The problem a comparison was run on, so a pasted table is never separated
/// from the data, dimension and machine that produced it.
public struct ProblemSummary: Codable, Sendable, Equatable {
    /// Human description of where the interactions came from (file, dataset name).
    public var dataSource: String
    /// Ratings at or above this value count as a like.
    public var likeThreshold: Double
    /// Number of items M (rows/columns of the co-occurrence problem).
    public var items: Int
    public var users: Int
    /// Number of (user, item) likes, i.e. non-zeros of the interaction matrix.
    public var likes: Int
    /// Embedding dimension D.
    public var dimension: Int
    public var seed: UInt64
    /// Free text such as CPU model, core count and BLAS; timings mean nothing without it.
    public var machine: String
    /// Kept as text so the caller decides the format and time zone.
    public var date: String

    public init(dataSource: String, likeThreshold: Double, items: Int, users: Int, likes: Int,
                dimension: Int, seed: UInt64, machine: String, date: String) {
        self.dataSource = dataSource
        self.likeThreshold = likeThreshold
        self.items = items
        self.users = users
        self.likes = likes
        self.dimension = dimension
        self.seed = seed
        self.machine = machine
        self.date = date
    }
}

/// An extra named column (e.g. HitRate@10). A list rather than a dictionary so
/// the column order chosen by the caller survives into every table format.
public struct Metric: Codable, Sendable, Equatable {
    public var name: String
    /// `nil` when the metric was not computed for this solver; rendered as a blank/dash.
    public var value: Double?

    public init(_ name: String, _ value: Double?) {
        self.name = name
        self.value = value
    }
}

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

/// One recorded point of a loss trace.
public struct ConvergencePoint: Codable, Sendable, Equatable {
    public var iteration: Int
    /// Wall-clock seconds since the solver started (including setup the caller chose to count).
    public var seconds: Double
    public var loss: Double

    public init(iteration: Int, seconds: Double, loss: Double) {
        self.iteration = iteration
        self.seconds = seconds
        self.loss = loss
    }
}

/// The loss trace of one solver, in recorded order.
public struct ConvergenceSeries: Codable, Sendable, Equatable {
    /// Must equal the matching ``ReportRow/solver``.
    public var solver: String
    public var points: [ConvergencePoint]

    public init(solver: String, points: [ConvergencePoint]) {
        self.solver = solver
        self.points = points
    }

    /// Tuple form so solver loops can build traces without naming the point type.
    /// Disfavoured so `points: []` picks the primary initialiser instead of being ambiguous.
    @_disfavoredOverload
    public init(solver: String, points: [(iteration: Int, seconds: Double, loss: Double)]) {
        self.solver = solver
        self.points = points.map { ConvergencePoint(iteration: $0.iteration, seconds: $0.seconds, loss: $0.loss) }
    }
}
