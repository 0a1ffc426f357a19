#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// Which table becomes the embedding the driver reports.
public enum SampledOutput: String, Sendable, CaseIterable {
    /// The input ("word") vectors, word2vec's convention.
    case input
    /// (input + output) / 2, which often scores better on similarity (GloVe's w + w̃).
    case average
}
