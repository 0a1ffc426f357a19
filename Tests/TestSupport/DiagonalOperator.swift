import LinearAlgebra

/// `diag(entries)` as an operator: the simplest problem with a known spectrum, and a conformer
/// that relies on the protocol's default block `apply`.
public struct DiagonalOperator: SymmetricOperator {
    public let diagonal: [Double]

    /// The operator `diag(entries)`.
    public init(_ entries: [Double]) { diagonal = entries }

    public var dimension: Int { diagonal.count }

    public func apply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<diagonal.count { y[i] = diagonal[i] * x[i] }
    }
}
