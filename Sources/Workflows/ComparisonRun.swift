import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Reporting

/// One row of a comparison: a solver under a label, with its own settings (the plan's settings
/// with per-solver overrides, so that e.g. `sgns` with two noise exponents can share one table).
public struct ComparisonRun: Sendable {
    public var label: String
    public var method: RegisteredMethod
    public var settings: SolverSettings
    /// How this run's embedding scores items on the hold-out; nil = the plan's similarity.
    public var similarity: Similarity?

    public init(label: String, method: RegisteredMethod, settings: SolverSettings, similarity: Similarity? = nil) {
        self.label = label
        self.method = method
        self.settings = settings
        self.similarity = similarity
    }
}
