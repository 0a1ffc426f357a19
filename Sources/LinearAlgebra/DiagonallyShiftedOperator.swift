/// `A + diag(d)` for any symmetric operator A: the diagonal-refilled matrix of alternating
/// imputation, applied without forming it.
public struct DiagonallyShiftedOperator<Base: SymmetricOperator>: SymmetricOperator {
    public let base: Base
    public let shift: [Double]

    public init(_ base: Base, adding shift: [Double]) {
        precondition(shift.count == base.dimension, "shift has \(shift.count) entries, operator order is \(base.dimension)")
        self.base = base
        self.shift = shift
    }

    public var dimension: Int { base.dimension }
    public var diagonal: [Double] { zip(base.diagonal, shift).map { $0 + $1 } }

    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        base.apply(x, into: y)
        for i in 0..<dimension { y[i] += shift[i] * x[i] }
    }

    public func apply(_ x: Matrix, into y: inout Matrix) {
        base.apply(x, into: &y)
        let n = dimension
        for j in 0..<x.columns {
            for i in 0..<n { y.storage[i + j * n] += shift[i] * x.storage[i + j * n] }
        }
    }
}
