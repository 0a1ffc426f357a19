// Relative-gap arithmetic shared by the tables and the plot, so both use one
// definition of "best" and of "reached a tolerance".

/// Where a series first came within a tolerance of the best loss.
public struct ToleranceCrossing: Codable, Sendable, Equatable {
    public var iteration: Int
    public var seconds: Double

    public init(iteration: Int, seconds: Double) {
        self.iteration = iteration
        self.seconds = seconds
    }
}

/// Time-to-tolerance for one series; `nil` means the tolerance was never reached.
public struct SeriesTolerances: Codable, Sendable, Equatable {
    public var solver: String
    public var to1e3: ToleranceCrossing?
    public var to1e6: ToleranceCrossing?

    public init(solver: String, to1e3: ToleranceCrossing?, to1e6: ToleranceCrossing?) {
        self.solver = solver
        self.to1e3 = to1e3
        self.to1e6 = to1e6
    }
}

/// The best loss and per-series crossings, computed together so they agree.
public struct ConvergenceAnalysis: Codable, Sendable, Equatable {
    /// `nil` when no series has a finite loss.
    public var best: Double?
    /// One entry per input series, in input order.
    public var series: [SeriesTolerances]
}

/// Namespace for the gap and tolerance computations.
public enum Convergence {
    /// The two tolerances reported in tables; named so callers do not repeat literals.
    public static let coarseTolerance = 1e-3
    public static let fineTolerance = 1e-6

    /// (loss − best)/|best|. Dividing by |best| keeps the sign meaningful should a
    /// loss ever be negative; with best = 0 the gap is 0 for an exact hit and
    /// infinite otherwise, because no relative tolerance can be met.
    public static func relativeGap(loss: Double, best: Double) -> Double {
        if loss.isNaN || best.isNaN { return .nan }
        if best == 0 {
            if loss == 0 { return 0 }
            return loss > 0 ? .infinity : -.infinity
        }
        return (loss - best) / abs(best)
    }

    /// Smallest finite loss over every point of every series; non-finite points
    /// (diverged or not yet evaluated) must not become the reference.
    public static func bestLoss(of series: [ConvergenceSeries]) -> Double? {
        var best: Double?
        for s in series {
            for p in s.points where p.loss.isFinite {
                if best == nil || p.loss < best! { best = p.loss }
            }
        }
        return best
    }

    /// Smallest finite final loss over the rows that report the masked loss: the reference for
    /// the gap column (rows judged on their own objective, and reference rows, take no part).
    public static func bestLoss(of rows: [ReportRow]) -> Double? {
        rows.lazy.filter(\.reportsMaskedLoss).map(\.finalLoss).filter(\.isFinite).min()
    }

    /// First point, in recorded order, whose relative gap is ≤ `tolerance`.
    /// "First" rather than "last": a stochastic solver that touches the tolerance
    /// and drifts away is still credited with the time it got there.
    public static func firstCrossing(of series: ConvergenceSeries, best: Double,
                                     tolerance: Double) -> ToleranceCrossing? {
        for p in series.points where p.loss.isFinite {
            if relativeGap(loss: p.loss, best: best) <= tolerance {
                return ToleranceCrossing(iteration: p.iteration, seconds: p.seconds)
            }
        }
        return nil
    }

    /// Best loss and the 1e-3 / 1e-6 crossings for every series.
    /// - Parameter best: reference loss; pass the table's best so plot, table and
    ///   crossings agree. Defaults to the best point over all series.
    public static func analyze(_ series: [ConvergenceSeries], best: Double? = nil) -> ConvergenceAnalysis {
        let reference = best ?? bestLoss(of: series)
        let per = series.map { s -> SeriesTolerances in
            guard let b = reference, b.isFinite else {
                return SeriesTolerances(solver: s.solver, to1e3: nil, to1e6: nil)
            }
            return SeriesTolerances(
                solver: s.solver,
                to1e3: firstCrossing(of: s, best: b, tolerance: coarseTolerance),
                to1e6: firstCrossing(of: s, best: b, tolerance: fineTolerance))
        }
        return ConvergenceAnalysis(best: reference, series: per)
    }
}
