#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// Starting tables, drawn from the run's seed.
public enum SampledInitialization: String, Sendable, CaseIterable {
    /// Input and output tables uniform in [−1, 1]: both towers start informative, which
    /// in-batch softmax with normalised vectors needs (a zero vector has no direction).
    case uniform
    /// word2vec: input uniform in [−0.5/D, 0.5/D], output zero. Small enough that early
    /// gradients are not dominated by random dot products.
    case word2vec
}
