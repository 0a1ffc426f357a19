import Evaluation
import Solvers

extension SolverKind {
    /// How this method's embedding scores items on the hold-out unless told otherwise: the
    /// similarity its reported table is made for (docs/solvers/sampled.md).
    public var defaultSimilarity: Similarity {
        switch self {
        case .sgns: return .cosine
        default: return .dot
        }
    }
}
