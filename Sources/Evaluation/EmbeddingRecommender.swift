import LinearAlgebra

/// Scores item c for user u as `Σ_{j ∈ likes(u)} sim(v_j, v_c)` over an embedding V (rows =
/// items).
///
/// For a block of users this is `(S_block·V)·Vᵀ`: one sparse product (nnz·D) and one gemm
/// (M·D per user) instead of M·|likes| dot products per user.
public struct EmbeddingRecommender: Recommender {
    public let name: String
    public let similarity: Similarity
    /// V, or V with unit rows for cosine (zero rows stay zero).
    public let vectors: Matrix
    /// `vectorsᵀ` (D × M), so that item j's vector is contiguous when summing over likes.
    private let transposedVectors: Matrix

    /// - Parameter embedding: M × D, row i = item i (the layout every solver writes).
    public init(embedding: Matrix, similarity: Similarity = .dot, name: String? = nil) throws {
        guard embedding.isFinite else { throw EvaluationError.nonFinite("the embedding has NaN or infinite entries") }
        var v = embedding
        if similarity == .cosine { v = Self.normalizedRows(embedding) }
        self.vectors = v
        self.transposedVectors = v.transposed
        self.similarity = similarity
        self.name = name ?? "embedding (D = \(embedding.columns), \(similarity.rawValue))"
    }

    public var itemCount: Int { vectors.rows }
    public var dimension: Int { vectors.columns }

    /// Rows scaled to unit length; zero rows are left zero (cosine with a zero vector is
    /// undefined; 0 ranks such items as "unrelated" rather than failing).
    static func normalizedRows(_ v: Matrix) -> Matrix {
        let norms = v.rowNormsSquared.map { $0 > 0 ? 1 / $0.squareRoot() : 0 }
        var out = v
        out.storage.withUnsafeMutableBufferPointer { s in
            for d in 0..<v.columns {
                let base = d * v.rows
                for i in 0..<v.rows { s[base + i] *= norms[i] }
            }
        }
        return out
    }

    public func scores(for users: [Int], history: SparseMatrix) -> Matrix {
        // Scoresᵀ (M × B) = V · Pᵀ.
        let pt = profiles(for: users, history: history)
        var out = Matrix(rows: itemCount, columns: users.count)
        BLAS.gemm(.none, vectors, .none, pt, into: &out)
        return out
    }

    /// Pᵀ (D × B): column b = Σ_{j ∈ likes(users[b])} s_uj · v_j, the users' profiles whose dot
    /// products with item vectors are the scores.
    public func profiles(for users: [Int], history: SparseMatrix) -> Matrix {
        precondition(history.columns == itemCount, "history has \(history.columns) items, embedding \(itemCount)")
        let d = dimension, b = users.count
        // Pᵀ (D × B): column b = Σ_j s_uj · v_j, accumulated from contiguous rows of Vᵀ.
        var pt = Matrix(rows: d, columns: b)
        if d > 0 {
            let likes = users.reduce(0) { $0 + history.rowPointers[$1 + 1] - history.rowPointers[$1] }
            history.rowPointers.withUnsafeBufferPointer { rp in
            history.columnIndices.withUnsafeBufferPointer { ci in
            history.values.withUnsafeBufferPointer { vs in
            transposedVectors.storage.withUnsafeBufferPointer { vt in
            pt.storage.withUnsafeMutableBufferPointer { p in
                let (rp, ci, vs, vt, p) = (SharedPointer(rp), SharedPointer(ci), SharedPointer(vs),
                                           SharedPointer(vt), SharedPointer(p))
                Parallel.chunks(b, work: likes * d) { range in
                    for col in range {
                        let u = users[col]
                        let out = p.value.baseAddress! + col * d
                        for k in rp.value[u]..<rp.value[u + 1] {
                            let src = vt.value.baseAddress! + Int(ci.value[k]) * d
                            let w = vs.value[k]
                            for t in 0..<d { out[t] += w * src[t] }
                        }
                    }
                }
            }}}}}
        }
        return pt
    }
}
