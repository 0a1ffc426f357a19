import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Reporting

public struct ComparisonOutcome: Sendable {
    public var entries: [ComparisonEntry]
    /// Popularity and EASE, when a hold-out was requested.
    public var references: [QualityReport]
    public var table: ResultsTable
    /// The masked-loss entry with the lowest final loss (the deliverable); nil when every row
    /// is a sampled method.
    public var best: ComparisonEntry?
    public var files: [URL]
}
