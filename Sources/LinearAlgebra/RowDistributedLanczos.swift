/// The k algebraically largest eigenpairs of a row-split operator by the implicitly restarted
/// Lanczos method with the Lanczos basis split by the same rows (PARPACK under MPI): each
/// participant holds `ownRows.count` rows of the basis and of the returned vectors. Collective.
/// Implemented where the message-passing layer lives; LinearAlgebra only names it.
public protocol RowDistributedLanczos: AnyObject {
    /// Values descending, vectors the own rows (`ownRows.count` × k), each column's completed sum
    /// non-negative. `options`: tolerance, maxIterations, ncv and seed as for ARPACK; the start is
    /// the one-process random start (`SymmetricEigen.randomStart(order:rows:seed:)`) cut to the rows.
    func largest<Op: RowDistributedOperator>(_ k: Int, ofRows op: Op, options: EigenOptions) throws -> EigenDecomposition
}
