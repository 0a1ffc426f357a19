/// Which eigensolver `SymmetricEigen.largest` may use.
///
/// `.automatic` picks LAPACK for operators that already hold a dense matrix and ARPACK for
/// implicit ones; forcing a backend exists for cross-checking and for small implicit problems
/// where materialising the matrix is cheaper than Lanczos restarts.
public enum EigenBackend: Sendable, Equatable {
    case automatic, dense, arpack
}
