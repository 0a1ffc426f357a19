import _COpenBLAS
import LinearAlgebra

/// How `MaskedLoss` evaluates loss + gradient for X = SᵀS.
public enum EvaluationScheme: String, Sendable, CaseIterable, Codable {
    /// Sparse passes on our threads, then syrk and gemm on OpenBLAS's own threads (`ImplicitKernels`).
    case shared
    /// Item blocks, one per thread, each with single-threaded BLAS (`BlockedObjective`):
    /// VᵀV = Σ_b V_bᵀV_b and SV = Σ_b S_{:,b}V_b by an in-place allreduce, gradient rows local.
    case blocks
}
