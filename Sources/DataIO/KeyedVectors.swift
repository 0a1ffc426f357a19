import LinearAlgebra

/// Item vectors keyed by strings, as in gensim's `KeyedVectors`.
public struct KeyedVectors: Sendable, Equatable {
    /// Key of row `i` of `vectors`.
    public var keys: [String]
    /// One row per key.
    public var vectors: Matrix

    public init(keys: [String], vectors: Matrix) {
        precondition(keys.count == vectors.rows)
        self.keys = keys
        self.vectors = vectors
    }
}
