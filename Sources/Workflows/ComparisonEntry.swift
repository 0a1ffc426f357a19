import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Reporting

/// One solver's run inside a comparison.
public struct ComparisonEntry: Sendable {
    public var label: String
    public var method: RegisteredMethod
    public var result: SolverResult
    public var quality: QualityReport?

    /// Sampled methods minimise their own objective: they are reported on it (the trace's
    /// `sampledLoss`) and on the hold-out, never on the masked loss.
    public var minimisesMaskedLoss: Bool { method.family == .maskedLoss }

    /// The sampled objective at the end of the run (nil for masked-loss methods).
    public var ownObjective: Double? {
        guard !minimisesMaskedLoss else { return nil }
        return result.trace.last?.extras["sampledLoss"] ?? .nan
    }
}
