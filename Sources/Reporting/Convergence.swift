// Relative-gap arithmetic shared by the tables and the plot, so both use one
// definition of "best" and of "reached a tolerance".

/// Namespace for the gap and tolerance computations.
public enum Convergence {
    /// The relative gaps whose first crossing the tables report by default: 1e-3 (a usable
    /// embedding), 1e-6 (agreement in six digits) and 1e-10 (the optimum to the last digits a
    /// Float64 loss of this size can show; what a second-order method is for).
    public static let reportedTolerances: [Double] = [1e-3, 1e-6, 1e-10]

    /// A tolerance as the tables write it ("1e-3", "5e-4").
    public static func text(tolerance: Double) -> String { NumberText.tolerance(tolerance) }

    /// `tolerances` as the tables use them: coarsest first, each once.
    public static func ordered(_ tolerances: [Double]) -> [Double] {
        Array(Set(tolerances)).sorted(by: >)
    }

    /// Why `tolerances` cannot be reported, or `nil` when each is a finite relative gap in (0, 1)
    /// and there is at least one.
    public static func problem(with tolerances: [Double]) -> String? {
        if tolerances.isEmpty { return "at least one tolerance is needed" }
        if let bad = tolerances.first(where: { !($0 > 0 && $0 < 1) }) {
            return "a tolerance is a relative gap in (0, 1), got \(bad)"
        }
        return nil
    }

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

    /// Best loss and the crossings of `tolerances` (ordered coarsest first) for every series.
    /// - Parameter best: reference loss; pass the table's best so plot, table and
    ///   crossings agree. Defaults to the best point over all series.
    public static func analyze(_ series: [ConvergenceSeries], best: Double? = nil,
                               tolerances: [Double] = reportedTolerances) -> ConvergenceAnalysis {
        let reference = best ?? bestLoss(of: series)
        let levels = ordered(tolerances)
        let per = series.map { s -> SeriesTolerances in
            guard let b = reference, b.isFinite else {
                return SeriesTolerances(solver: s.solver, tolerances: levels, crossings: levels.map { _ in nil })
            }
            return SeriesTolerances(solver: s.solver, tolerances: levels,
                                    crossings: levels.map { firstCrossing(of: s, best: b, tolerance: $0) })
        }
        return ConvergenceAnalysis(best: reference, series: per)
    }
}
