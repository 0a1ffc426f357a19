import Evaluation
import Solvers

extension RegisteredMethod {
    /// How this method's embedding scores items on the hold-out unless told otherwise: the
    /// similarity its reported table is made for (docs/solvers/sampled.md). sgns reports the
    /// average of its tables, whose norms carry popularity: cosine ranks by direction.
    public var defaultSimilarity: Similarity {
        name == SkipGramNegativeSampling.methodName ? .cosine : .dot
    }
}
