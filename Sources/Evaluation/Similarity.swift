/// How two item vectors are compared.
public enum Similarity: String, Sendable, Codable, CaseIterable {
    /// `v_jᵀv_c`: keeps vector lengths, which in co-occurrence embeddings carry popularity.
    case dot
    /// `v_jᵀv_c / (‖v_j‖‖v_c‖)`: direction only; an all-zero vector has similarity 0 to
    /// everything, so items the model knows nothing about neither score nor vote.
    case cosine
}
