/// The algorithm that actually produced an `EigenDecomposition` (it can differ from the requested
/// backend when ARPACK cannot handle `k` so close to `n` and a dense solve is substituted).
public enum EigenAlgorithm: Sendable, Equatable {
    /// LAPACK `dsyevr` on a dense (possibly materialised) matrix.
    case lapackDense
    /// ARPACK implicitly restarted Lanczos.
    case arpack
    /// `BlockEigensolver`: Rayleigh–Ritz on block products.
    case blockRayleighRitz
}
