/// What a method minimises, which decides the data it trains on and how the shared tests check it.
public enum MethodFamily: String, Sendable, Equatable {
    /// The masked loss L(V) on X itself (possibly a transform of SᵀS): solves planted problems
    /// exactly, stops on loss and gradient tolerances, and is in `compare`'s default list.
    case maskedLoss
    /// A word2vec-style objective over positive pairs sampled from the interactions S: trains on
    /// S (never a transform), counts iterations in epochs, and is judged on planted clusters.
    case sampled
}
