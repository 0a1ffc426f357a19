#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proposal distribution Q of sampled softmax.
public enum CandidateDistribution: String, Sendable, CaseIterable {
    /// Log-uniform (Zipfian) over items ranked by like count, most liked first:
    /// P(rank k) = (log(k+2) − log(k+1)) / log(M+1). TensorFlow's default for sampled softmax;
    /// cheap (inverse CDF, no table) and close to the popularity curve of real catalogues.
    case logUniform
    /// Every item with probability 1/M.
    case uniform
    /// Probability ∝ like count (items nobody liked are never drawn).
    case unigram
}
