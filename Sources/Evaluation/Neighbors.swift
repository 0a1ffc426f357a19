import LinearAlgebra

/// Nearest items by cosine similarity in an embedding: the quickest sanity check that an
/// embedding has learnt something ("what is close to Toy Story?").
public struct Neighbors: Sendable {
    /// The embedding with unit rows (zero rows stay zero and are similar to nothing).
    public let unitVectors: Matrix

    /// - Parameter embedding: M × D, row i = item i.
    public init(embedding: Matrix) throws {
        guard embedding.isFinite else { throw EvaluationError.nonFinite("the embedding has NaN or infinite entries") }
        unitVectors = EmbeddingRecommender.normalizedRows(embedding)
    }

    public var itemCount: Int { unitVectors.rows }

    /// The `k` items most cosine-similar to `item`, the item itself excluded, best first;
    /// equal similarities are ordered by increasing item index. A zero vector has similarity 0
    /// to every item, so its "neighbours" are simply the lowest indices.
    public func nearest(to item: Int, k: Int = 10) throws -> [ScoredItem] {
        guard item >= 0, item < itemCount else {
            throw EvaluationError.shapeMismatch("item \(item) outside 0..<\(itemCount)")
        }
        guard k >= 0 else { throw EvaluationError.invalidArgument("k must be non-negative, got \(k)") }
        let query = unitVectors.row(item)
        var scores = [Double](repeating: 0, count: itemCount)
        query.withUnsafeBufferPointer { q in
            scores.withUnsafeMutableBufferPointer { BLAS.gemv(.none, unitVectors, q, into: $0) }
        }
        let excluded = [Int32(item)]
        return scores.withUnsafeBufferPointer { s in
            excluded.withUnsafeBufferPointer { RankingEvaluation.top(k, of: s, excluding: $0) }
        }
    }
}
